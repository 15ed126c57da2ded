package io.websocketrelay.launcher.io;

/**
 * A connection writer's offer to send a text message faster: the relay hands the message's UTF-8 bytes to a binary
 * send of the session, and the writer turns the frame that send produces into a text frame. The launcher makes this
 * offer for its connections ({@link RelabellingTransport}), because Tyrus's own text sending (a new charset and
 * encoder per frame, then encoding char by char) cost a third of the relay's CPU when streaming small messages. On
 * the application servers nobody offers it, and text goes through {@code sendText}.
 */
@FunctionalInterface
interface TextAsBinary {

    /**
     * Runs {@code binarySend}, a binary send of this connection, and marks the binary frame it writes as text.
     *
     * @return whether that frame was marked; {@code false} means it went out as a binary frame
     */
    boolean sendMarked(Runnable binarySend);
}
