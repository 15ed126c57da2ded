package io.websocketrelay.endpoint;

/**
 * A container's offer to send a text message faster: the relay hands the message's UTF-8 bytes to a binary send of
 * the session, and the container writes the frame that send produces as a text frame. The standalone launcher makes
 * this offer for its connections, because Tyrus's own text sending (a new charset and encoder per frame, then
 * encoding char by char) cost a third of the relay's CPU when streaming small messages. On the application
 * servers nobody offers it, and text goes through {@code sendText}.
 *
 * <p>The container announces the offer while a connection opens ({@link #opening}); the endpoint's {@code @OnOpen}
 * runs inside that call on the same thread and takes it ({@link #offered}).
 */
@FunctionalInterface
public interface TextAsBinary {

    /**
     * Runs {@code binarySend}, a binary send of this connection, and marks the binary frame it writes as text.
     *
     * @return whether that frame was marked; {@code false} means it went out as a binary frame
     */
    boolean sendMarked(Runnable binarySend);

    /** Runs {@code open}, in which a connection opens, with {@code offer} available to {@link #offered}. */
    static void opening(TextAsBinary offer, Runnable open) {
        Holder.OPENING.set(offer);
        try {
            open.run();
        } finally {
            Holder.OPENING.remove();
        }
    }

    /** @return the offer of the connection that is opening on this thread, or {@code null} */
    static TextAsBinary offered() {
        return Holder.OPENING.get();
    }

    /** Keeps the thread-local out of the interface's API. */
    final class Holder {
        private static final ThreadLocal<TextAsBinary> OPENING = new ThreadLocal<>();

        private Holder() {
        }
    }
}
