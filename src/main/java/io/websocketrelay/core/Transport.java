package io.websocketrelay.core;

/**
 * One client connection as the relay sees it: something that sends a message asynchronously and can be closed. The
 * WebSocket boundary implements it over a container's session; a peer on another node would implement it over the
 * cluster's channel.
 *
 * <p>Threading: a {@link Peer} calls {@link #send} with at most one send in flight, and its callback may run on any
 * thread, including inside the {@code send} call itself. {@link #close} may be called from any thread, including
 * from inside a send's completion; an implementation whose container writes a close frame synchronously must hand
 * that write to a thread of its own.
 */
public interface Transport {

    /** Sends a message; {@code done} is called once, when it was written or failed. */
    void send(Outbound message, SendCallback done);

    /** Sends a ping; the answer comes back through {@link Peer#heard()}. Never throws. */
    void ping();

    /**
     * Stops or resumes reading what the client sends, where the container allows it (the launcher does; the
     * application servers' WebSocket API has no way, and ignores it). A peer pauses the sender whose messages fill its
     * queue faster than it drains (a slower receiver, or a cross-node link whose way to the other node is full),
     * instead of overflowing.
     */
    default void pauseReading(boolean pause) {
    }

    /** @return whether {@link #pauseReading} does anything here */
    default boolean canPauseReading() {
        return false;
    }

    /** Closes the connection with a WebSocket close code and reason; never throws. */
    void close(int code, String reason);

    /** The outcome of one send. */
    @FunctionalInterface
    interface SendCallback {

        /** @param failure {@code null} when the message was written, else why it was not */
        void sent(Throwable failure);
    }
}
