package io.websocketrelay.endpoint;

/**
 * Whole messages of one connection, handed over by a container that reads the WebSocket frames itself, past its
 * WebSocket API. The standalone launcher does this for the messages that come in one frame (nearly all of them):
 * Tyrus's frame parser, its dispatch to the session's handlers (which copies the handler map for every message) and
 * its UTF-8 decoding were half of the relay's CPU when streaming small messages. Fragmented messages, control frames
 * and anything malformed still go through the container, which answers them as before.
 *
 * <p>The bytes belong to the caller and may be reused once a call returns. The caller delivers a connection's
 * messages one at a time and in order with what it gives the container, and only while no fragmented message is in
 * progress on it.
 */
public interface DirectReader {

    /** A whole text message, as UTF-8 that the caller has already checked to be valid. */
    void text(byte[] utf8, int offset, int length);

    /** A whole binary message. */
    void binary(byte[] bytes, int offset, int length);
}
