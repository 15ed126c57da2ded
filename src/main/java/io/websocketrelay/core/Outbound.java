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

    /** What a message means to a node of a cluster that carries it to another node's clients. */
    public enum Kind {
        /** Data, to every receiver or (with a {@link #member()}) to one member of a room. */
        DATA,
        /** {@code /member:open:<m>}: member {@link #member()} joined the room. */
        MEMBER_OPEN,
        /** {@code /member:close:<m>}: member {@link #member()} left the room. */
        MEMBER_CLOSE
    }

    private final boolean text;
    private final byte[] bytes;
    /**
     * The text as a string; {@code null} for binary, and for a text that came as UTF-8 from another node until it is
     * asked for (the launcher sends the bytes; the string is decoded when an answer or a server needs it).
     */
    private String string;
    private final Kind kind;
    /** The member an event is about, or the one member a direct text is for; {@code null} otherwise. */
    private final String member;

    private Outbound(boolean text, byte[] bytes, String string, Kind kind, String member) {
        this.text = text;
        this.bytes = bytes;
        this.string = string;
        this.kind = kind;
        this.member = member;
    }

    private Outbound(boolean text, byte[] bytes, String string) {
        this(text, bytes, string, Kind.DATA, null);
    }

    /** @return the room event {@code prefix + member} ({@link Kind#MEMBER_OPEN} or {@link Kind#MEMBER_CLOSE}) */
    static Outbound memberEvent(Kind kind, String member) {
        String text = (kind == Kind.MEMBER_OPEN ? Protocol.MEMBER_OPEN : Protocol.MEMBER_CLOSE) + member;
        return new Outbound(true, text.getBytes(UTF_8), text, kind, member);
    }

    /** @return this message addressed to one member of a room (a direct text), for a node that carries it there */
    Outbound to(String target) {
        return new Outbound(text, bytes, string, Kind.DATA, target);
    }

    /** @return a text whose UTF-8 form the caller already has and hands over */
    public static Outbound text(String text, byte[] utf8) {
        return new Outbound(true, utf8, text);
    }

    /**
     * @return a text given as its UTF-8 bytes, which the caller hands over (valid UTF-8: it was checked where it
     *         entered the relay); the string is decoded only if it is asked for
     */
    public static Outbound utf8Text(byte[] utf8) {
        return new Outbound(true, utf8, null);
    }

    /** @return what this message means besides its payload */
    public Kind kind() {
        return kind;
    }

    /** @return the member an event is about, or the target of a direct text; {@code null} otherwise */
    public String member() {
        return member;
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
        String decoded = string;
        if (decoded == null) {
            decoded = new String(bytes, UTF_8); // a benign race: any thread decodes the same string
            string = decoded;
        }
        return decoded;
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
