package io.websocketrelay.core;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;

/**
 * One message on its way to clients, encoded once: a text as its UTF-8 bytes (and the string it came as), a binary
 * message as its bytes. Immutable, so one value can wait in the queues of any number of receivers; each send takes
 * its own view of the bytes ({@link #bytes()}). Sizes are UTF-8 bytes everywhere: the message limit, the send
 * buffers, the rate limits and the metrics count the same thing.
 */
public final class Outbound {

    private final boolean text;
    private final byte[] bytes;
    /** The text as a string; {@code null} for binary. */
    private final String string;

    private Outbound(boolean text, byte[] bytes, String string) {
        this.text = text;
        this.bytes = bytes;
        this.string = string;
    }

    /** @return a text message; its UTF-8 form is computed here, once */
    public static Outbound text(String text) {
        return new Outbound(true, text.getBytes(UTF_8), text);
    }

    /** @return a binary message holding a copy of what remains in {@code data}, which is left as it was */
    public static Outbound binary(ByteBuffer data) {
        byte[] copy = new byte[data.remaining()];
        data.duplicate().get(copy);
        return new Outbound(false, copy, null);
    }

    /** @return a binary message over {@code data}, which the caller hands over and must not change again */
    public static Outbound binaryOwning(byte[] data) {
        return new Outbound(false, data, null);
    }

    /** @return whether this is a text message */
    public boolean isText() {
        return text;
    }

    /** @return the payload's size in bytes (UTF-8 bytes for text) */
    public int size() {
        return bytes.length;
    }

    /** @return the text of a text message */
    public String text() {
        if (!text) {
            throw new IllegalStateException("a binary message has no text");
        }
        return string;
    }

    /**
     * @return a new buffer over the payload (the UTF-8 of a text), positioned at its start: one per send, since a
     *         container moves the buffer it writes from. Containers only read the buffers they send.
     */
    public ByteBuffer bytes() {
        return ByteBuffer.wrap(bytes);
    }

    @Override
    public String toString() {
        return (text ? "text" : "binary") + "[" + bytes.length + " bytes]";
    }
}
