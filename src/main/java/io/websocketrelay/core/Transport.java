package io.websocketrelay.core;

import java.nio.ByteBuffer;

/**
 * One client connection as the relay sees it: something that sends a message asynchronously and can be closed.
 *
 * <p>Threading: a {@link Peer} calls the send methods with at most one send in flight and calls
 * {@link SendCallback#sent(Throwable)} handling on any thread, including inside the send call itself.
 */
public interface Transport {

    /** Sends a text message; {@code done} is called once when it was written or failed. */
    void sendText(String text, SendCallback done);

    /** Sends a binary message; {@code done} is called once when it was written or failed. */
    void sendBinary(ByteBuffer data, SendCallback done);

    /** Sends a ping; the answer comes back through {@link Peer#heard()}. Never throws. */
    void ping();

    /** Closes the connection with a WebSocket close code and reason; never throws. */
    void close(int code, String reason);

    /** The outcome of one send. */
    @FunctionalInterface
    interface SendCallback {

        /** @param failure {@code null} when the message was written, else why it was not */
        void sent(Throwable failure);
    }
}
