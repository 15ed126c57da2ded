package io.websocketrelay.launcher;

import org.glassfish.grizzly.Buffer;

/**
 * Reads the frame headers of one upgraded connection as its bytes arrive, before Tyrus does, and finds what Tyrus
 * lets through or finds too late: an unmasked client frame or a 64-bit length with its top bit set (RFC 6455 5.1 and
 * 5.2: close 1002), and a data frame announcing more than the largest message (close 1009 at once, instead of
 * buffering megabytes first). Only headers are looked at; payloads are skipped by count.
 *
 * <p>Not thread-safe: Grizzly delivers one connection's reads one at a time.
 */
final class FrameGuard {

    /** What is wrong with the stream: a close code and reason, or {@code null}. */
    record Violation(int code, String reason) {
    }

    private final long maxMessageBytes;
    private final byte[] header = new byte[14];
    private int filled;
    private int needed = 2;
    private long skipping;

    FrameGuard(long maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    /** Reads the next bytes of the stream, without moving the buffer's position. */
    Violation read(Buffer buffer) {
        int limit = buffer.limit();
        int i = buffer.position();
        while (i < limit) {
            if (skipping > 0) {
                int step = (int) Math.min(skipping, limit - i);
                i += step;
                skipping -= step;
                continue;
            }
            header[filled++] = buffer.get(i++);
            if (filled == 2) {
                if ((header[1] & 0x80) == 0) {
                    return new Violation(1002, "unmasked frame from a client");
                }
                int length7 = header[1] & 0x7f;
                needed = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + 4;
            }
            if (filled == needed) {
                Violation violation = frame();
                if (violation != null) {
                    return violation;
                }
                filled = 0;
                needed = 2;
            }
        }
        return null;
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
        boolean data = (header[0] & 0x08) == 0;
        if (data && length > maxMessageBytes) {
            return new Violation(1009, "message too big: the limit is " + maxMessageBytes + " bytes");
        }
        skipping = length;
        return null;
    }
}
