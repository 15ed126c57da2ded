package io.websocketrelay.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The load tool's messages: a sequence number, a tag naming the sender (pair or session number times two plus its
 * side), filler up to the requested size, and a CRC-32C over everything before it.
 *
 * <p>Binary: {@code seq} (8 bytes, big-endian), {@code tag} (4), filler, CRC (4); at least {@value #MIN_BINARY}
 * bytes. Text: the same fields as lower-case hex (16 + 8 characters), filler letters {@code g-z}, the CRC in hex over
 * the characters before it (8); at least {@value #MIN_TEXT} characters, all ASCII, never starting with {@code /}, so
 * the relay's control messages are never mistaken for data.
 *
 * <p>A timed payload (the room scenario) also carries its send time, {@link System#nanoTime()} of the sending process,
 * right after the tag and under the checksum: 8 bytes big-endian, or 16 hex characters; at least
 * {@value #MIN_TIMED_BINARY} bytes or {@value #MIN_TIMED_TEXT} characters.
 */
final class Payload {

    /** The smallest binary payload: sequence, tag and checksum. */
    static final int MIN_BINARY = 16;
    /** The smallest text payload: the same fields in hex. */
    static final int MIN_TEXT = 32;
    /** The smallest timed binary payload: sequence, tag, send time and checksum. */
    static final int MIN_TIMED_BINARY = 24;
    /** The smallest timed text payload: the same fields in hex. */
    static final int MIN_TIMED_TEXT = 48;

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** A decoded payload: who sent it, its place in the sender's sequence, and its send time (0 if not timed). */
    record Stamp(long seq, int tag, long sentAt) {
        Stamp(long seq, int tag) {
            this(seq, tag, 0);
        }
    }

    private Payload() {
    }

    /** @return the smallest payload of that kind */
    static int minimum(boolean binary) {
        return minimum(binary, false);
    }

    /** @return the smallest payload of that kind, timed or not */
    static int minimum(boolean binary, boolean timed) {
        if (timed) {
            return binary ? MIN_TIMED_BINARY : MIN_TIMED_TEXT;
        }
        return binary ? MIN_BINARY : MIN_TEXT;
    }

    /** @return a binary payload of exactly {@code size} bytes */
    static ByteBuffer binary(long seq, int tag, int size) {
        return binary(seq, tag, false, 0, size);
    }

    /** @return a timed binary payload of exactly {@code size} bytes, sent at {@code sentAt} (nanoTime) */
    static ByteBuffer timedBinary(long seq, int tag, long sentAt, int size) {
        return binary(seq, tag, true, sentAt, size);
    }

    /** @return a text payload of exactly {@code size} ASCII characters */
    static String text(long seq, int tag, int size) {
        return text(seq, tag, false, 0, size);
    }

    /** @return a timed text payload of exactly {@code size} ASCII characters, sent at {@code sentAt} (nanoTime) */
    static String timedText(long seq, int tag, long sentAt, int size) {
        return text(seq, tag, true, sentAt, size);
    }

    /** @return the stamp of a binary payload of {@code size} bytes, or {@code null} if its size or checksum is wrong */
    static Stamp decode(ByteBuffer data, int size) {
        return decode(data, size, false);
    }

    /** @return the stamp, with its send time, of a timed binary payload, or {@code null} if it is not intact */
    static Stamp decodeTimed(ByteBuffer data, int size) {
        return decode(data, size, true);
    }

    /** @return the stamp of a text payload of {@code size} characters, or {@code null} if it is not intact */
    static Stamp decode(String text, int size) {
        return decode(text, size, false);
    }

    /** @return the stamp, with its send time, of a timed text payload, or {@code null} if it is not intact */
    static Stamp decodeTimed(String text, int size) {
        return decode(text, size, true);
    }

    private static ByteBuffer binary(long seq, int tag, boolean timed, long sentAt, int size) {
        check(size, minimum(true, timed));
        byte[] bytes = new byte[size];
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        buffer.putLong(seq).putInt(tag);
        if (timed) {
            buffer.putLong(sentAt);
        }
        for (int i = buffer.position(); i < size - 4; i++) {
            bytes[i] = (byte) (seq + i * 31L);
        }
        buffer.putInt(size - 4, crc(bytes, size - 4));
        return buffer.rewind();
    }

    private static String text(long seq, int tag, boolean timed, long sentAt, int size) {
        check(size, minimum(false, timed));
        byte[] chars = new byte[size];
        hex(chars, 0, seq, 16);
        hex(chars, 16, tag & 0xffffffffL, 8);
        int filler = 24;
        if (timed) {
            hex(chars, 24, sentAt, 16);
            filler = 40;
        }
        for (int i = filler; i < size - 8; i++) {
            chars[i] = (byte) ('g' + (int) ((seq + i) % 20));
        }
        hex(chars, size - 8, crc(chars, size - 8) & 0xffffffffL, 8);
        return new String(chars, StandardCharsets.ISO_8859_1);
    }

    private static Stamp decode(ByteBuffer data, int size, boolean timed) {
        if (data.remaining() != size || size < minimum(true, timed)) {
            return null;
        }
        byte[] bytes = new byte[size];
        data.duplicate().get(bytes);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        if (buffer.getInt(size - 4) != crc(bytes, size - 4)) {
            return null;
        }
        return new Stamp(buffer.getLong(0), buffer.getInt(8), timed ? buffer.getLong(12) : 0);
    }

    private static Stamp decode(String text, int size, boolean timed) {
        if (text.length() != size || size < minimum(false, timed)) {
            return null;
        }
        byte[] chars = text.getBytes(StandardCharsets.ISO_8859_1);
        long seq = unhex(chars, 0, 16);
        long tag = unhex(chars, 16, 8);
        long sentAt = timed ? unhex(chars, 24, 16) : 0;
        long sum = unhex(chars, size - 8, 8);
        if (seq == -1 && !isHex(chars, 0, 16) || tag < 0 || sentAt == -1 && !isHex(chars, 24, 16) || sum < 0
                || sum != (crc(chars, size - 8) & 0xffffffffL)) {
            return null;
        }
        return new Stamp(seq, (int) tag, sentAt);
    }

    private static void check(int size, int minimum) {
        if (size < minimum) {
            throw new IllegalArgumentException("a payload needs at least " + minimum + " bytes, not " + size);
        }
    }

    private static int crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    private static void hex(byte[] out, int at, long value, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            out[at + i] = HEX[(int) (value & 0xf)];
            value >>>= 4;
        }
    }

    /** @return the value of {@code digits} hex digits, or -1 if one is not a lower-case hex digit (for 8 digits) */
    private static long unhex(byte[] in, int at, int digits) {
        long value = 0;
        for (int i = 0; i < digits; i++) {
            int digit = Character.digit(in[at + i], 16);
            if (digit < 0 || in[at + i] >= 'A' && in[at + i] <= 'F') {
                return -1;
            }
            value = value << 4 | digit;
        }
        return value;
    }

    private static boolean isHex(byte[] in, int at, int digits) {
        for (int i = 0; i < digits; i++) {
            byte b = in[at + i];
            if (!(b >= '0' && b <= '9' || b >= 'a' && b <= 'f')) {
                return false;
            }
        }
        return true;
    }
}
