package io.websocketrelay.launcher.io;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.glassfish.grizzly.Buffer;

/**
 * Reads the frame headers of one upgraded connection as its bytes arrive, before Tyrus does, and finds what Tyrus
 * lets through or finds too late: an unmasked client frame or a 64-bit length with its top bit set (RFC 6455 5.1 and
 * 5.2: close 1002), and a data frame announcing more than the largest message (close 1009 at once, instead of
 * buffering megabytes first).
 *
 * <p>It also unmasks the frames in place (RFC 6455 5.3): each frame leaves without its masking key and with the mask
 * bit clear, its payload XORed with the key eight bytes at a time. Tyrus reads such a frame with one bulk copy
 * instead of unmasking it byte by byte, which was the largest single cost of relaying small messages. A frame never
 * grows (its key's four bytes are dropped, every other byte gives one), so the result fits where the input was.
 *
 * <p>Not thread-safe: Grizzly delivers one connection's reads one at a time.
 */
final class FrameGuard {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** What is wrong with the stream: a close code and reason, or {@code null}. */
    record Violation(int code, String reason) {
    }

    /**
     * Where {@link #read(Buffer, Lane)} puts a connection's frames: whole messages that arrived in one frame each, past
     * Tyrus, and everything else to Tyrus, in the order of the stream.
     */
    interface Lane {

        /** The next frames for Tyrus, unmasked, in {@code bytes[from, to)}. */
        void tyrus(byte[] bytes, int from, int to);

        /** A whole message in one frame (text checked to be valid UTF-8), unmasked, in {@code bytes[offset, offset + length)}. */
        void message(boolean text, byte[] bytes, int offset, int length);
    }

    private final long maxMessageBytes;
    private final byte[] header = new byte[14];
    private int filled;
    private int needed = 2;
    /** Payload bytes of the current frame still to come. */
    private long payloadLeft;
    /** The current frame's masking key, big-endian, rotated so that its top byte masks the next payload byte. */
    private int key;
    /** What the last {@link #read} found wrong, when it found something. */
    private Violation violation;
    /** A message's first frame without FIN came, its last frame not yet: its frames all go to Tyrus. */
    private boolean fragmented;
    /** The client sent a close frame: whatever follows goes to Tyrus, which drops it. */
    private boolean closed;
    /** The lane of the current {@link #read}, or {@code null}: then the whole input goes on to the caller. */
    private Lane lane;
    /** Where the unmasked output not yet handed to the lane begins. */
    private int pending;
    /** Where the output of the frame whose header is being read begins, if it began in this read; else -1. */
    private int frameStart;

    FrameGuard(long maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * Checks the next bytes of the stream and unmasks them in place: afterwards the buffer's position to its new
     * limit holds the same frames, unmasked. After a violation the buffer's content is undefined.
     */
    Violation read(Buffer buffer) {
        lane = null;
        int position = buffer.position();
        if (buffer.hasArray()) {
            int offset = buffer.arrayOffset();
            int end = unmask(buffer.array(), offset + position, offset + buffer.limit());
            if (end < 0) {
                return violation;
            }
            buffer.limit(end - offset);
            return null;
        }
        // a composite or direct buffer: unmask a copy, then write it back
        byte[] copy = new byte[buffer.remaining()];
        buffer.get(copy);
        int end = unmask(copy, 0, copy.length);
        if (end < 0) {
            return violation;
        }
        buffer.position(position);
        buffer.put(copy, 0, end);
        buffer.limit(position + end);
        buffer.position(position);
        return null;
    }

    /**
     * Checks the next bytes of the stream, unmasks them and hands them to {@code lane}: each whole message that is
     * in one frame, whose payload is all in {@code buffer} and (for text) valid UTF-8, as a message; the rest, with
     * every frame Tyrus must answer (control frames, fragments, malformed UTF-8), to Tyrus, in order. On a
     * violation, what came before it was handed over; the buffer's content is undefined afterwards.
     */
    Violation read(Buffer buffer, Lane lane) {
        byte[] bytes;
        int from;
        int to;
        if (buffer.hasArray()) {
            bytes = buffer.array();
            from = buffer.arrayOffset() + buffer.position();
            to = buffer.arrayOffset() + buffer.limit();
        } else {
            bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            from = 0;
            to = bytes.length;
        }
        this.lane = lane;
        pending = from;
        frameStart = -1;
        try {
            int end = unmask(bytes, from, to);
            if (end < 0) {
                return violation;
            }
            if (end > pending) {
                lane.tyrus(bytes, pending, end);
            }
            return null;
        } finally {
            this.lane = null;
        }
    }

    /** Unmasks {@code bytes[from, to)} in place; @return where the result ends, or -1 after a violation */
    private int unmask(byte[] bytes, int from, int to) {
        int read = from;
        int write = from;
        while (read < to) {
            if (payloadLeft > 0) {
                int step = (int) Math.min(payloadLeft, to - read);
                xor(bytes, read, write, step);
                payloadLeft -= step;
                read += step;
                write += step;
                continue;
            }
            int index = filled;
            if (index == 0) {
                frameStart = write;
            }
            byte b = bytes[read++];
            header[filled++] = b;
            if (filled == 2) {
                if ((b & 0x80) == 0) {
                    violation = new Violation(1002, "unmasked frame from a client");
                    return -1;
                }
                int length7 = b & 0x7f;
                needed = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + 4;
                b = (byte) length7;
            }
            if (index < 2 || index < needed - 4) {
                bytes[write++] = b; // the first bytes and the extended length; the key's four bytes are dropped
            }
            if (filled == needed) {
                violation = frame();
                if (violation != null) {
                    return -1;
                }
                filled = 0;
                needed = 2;
                int start = frameStart;
                frameStart = -1;
                // a header that began in an earlier read went to Tyrus in part already: so does the rest
                if (lane != null && start >= 0 && payloadLeft <= to - read && whole()) {
                    int length = (int) payloadLeft;
                    xor(bytes, read, read, length);
                    payloadLeft = 0;
                    boolean text = (header[0] & 0x0f) == 1;
                    if (!text || Utf8.isValid(bytes, read, read + length)) {
                        if (start > pending) {
                            lane.tyrus(bytes, pending, start);
                        }
                        lane.message(text, bytes, read, length);
                        read += length;
                        write = start; // the frame's header leaves the output
                        pending = write;
                    } else {
                        System.arraycopy(bytes, read, bytes, write, length); // Tyrus answers the bad UTF-8 (1007)
                        read += length;
                        write += length;
                    }
                }
            }
        }
        return write;
    }

    /** XORs {@code length} payload bytes from {@code read} into {@code write} (at most {@code read}). */
    private void xor(byte[] bytes, int read, int write, int length) {
        int mask = key;
        int i = 0;
        if (length >= 8) {
            long mask64 = ((long) mask << 32) | (mask & 0xffffffffL);
            for (; i <= length - 8; i += 8) {
                long value = (long) LONGS.get(bytes, read + i);
                LONGS.set(bytes, write + i, value ^ mask64);
            }
        }
        for (; i < length; i++) {
            bytes[write + i] = (byte) (bytes[read + i] ^ (mask >>> 24));
            mask = Integer.rotateLeft(mask, 8);
        }
        key = mask; // whole groups of eight leave the key's rotation as it was
    }

    /** @return whether the frame whose header was just read is a whole message that may go past Tyrus */
    private boolean whole() {
        int first = header[0];
        // FIN set, no RSV bit, text or binary, and no fragmented message in progress nor a close frame seen
        return (first & 0xf0) == 0x80 && ((first & 0x0f) == 1 || (first & 0x0f) == 2) && !fragmented && !closed;
    }

    private Violation frame() {
        int length7 = header[1] & 0x7f;
        long length;
        if (length7 == 126) {
            length = ((header[2] & 0xffL) << 8) | (header[3] & 0xffL);
        } else if (length7 == 127) {
            if ((header[2] & 0x80) != 0) {
                return new Violation(1002, "frame length with the most significant bit set");
            }
            length = 0;
            for (int i = 2; i < 10; i++) {
                length = (length << 8) | (header[i] & 0xffL);
            }
        } else {
            length = length7;
        }
        int opcode = header[0] & 0x0f;
        boolean data = (header[0] & 0x08) == 0;
        boolean fin = (header[0] & 0x80) != 0;
        if (opcode == 1 || opcode == 2) {
            fragmented |= !fin;
        } else if (opcode == 0 && fin) {
            fragmented = false;
        } else if (opcode == 8) {
            closed = true;
        }
        if (data && length > maxMessageBytes) {
            return new Violation(1009, "message too big: the limit is " + maxMessageBytes + " bytes");
        }
        key = ((header[needed - 4] & 0xff) << 24) | ((header[needed - 3] & 0xff) << 16)
                | ((header[needed - 2] & 0xff) << 8) | (header[needed - 1] & 0xff);
        payloadLeft = length;
        return null;
    }
}
