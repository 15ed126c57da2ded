package io.websocketrelay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.websocketrelay.testing.WireClient;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.glassfish.grizzly.memory.Buffers;
import org.junit.jupiter.api.Test;

class FrameGuardTest {

    private static FrameGuard.Violation feed(FrameGuard guard, byte[] stream, int chunk) {
        for (int i = 0; i < stream.length; i += chunk) {
            int end = Math.min(stream.length, i + chunk);
            byte[] part = Arrays.copyOfRange(stream, i, end);
            FrameGuard.Violation violation = guard.read(Buffers.wrap(null, part));
            if (violation != null) {
                return violation;
            }
        }
        return null;
    }

    private static byte[] frames(byte[]... frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] frame : frames) {
            out.writeBytes(frame);
        }
        return out.toByteArray();
    }

    @Test
    void validFramesPassHoweverTheBytesAreSplit() {
        byte[] stream = frames(WireClient.frame(true, WireClient.TEXT, new byte[10]),
                WireClient.frame(true, WireClient.BINARY, new byte[300]),
                WireClient.frame(true, WireClient.BINARY, new byte[1000]),
                WireClient.frame(0x80 | 0x9, true, 0, new byte[0]));
        for (int chunk : new int[] {1, 2, 3, 7, 13, 100, stream.length}) {
            assertNull(feed(new FrameGuard(1000), stream, chunk), "chunks of " + chunk);
        }
    }

    @Test
    void unmaskedFrameIsAProtocolError() {
        byte[] stream = frames(WireClient.frame(true, WireClient.TEXT, new byte[3]),
                WireClient.frame(0x80 | WireClient.TEXT, false, 2, new byte[2]));
        assertEquals(1002, feed(new FrameGuard(1000), stream, 1).code());
    }

    @Test
    void topBitOfA64BitLengthIsAProtocolError() {
        assertEquals(1002, feed(new FrameGuard(1000), WireClient.frame(0x82, true, Long.MIN_VALUE, new byte[0]), 5)
                .code());
    }

    @Test
    void dataFrameOverTheLimitIsTooBigAtItsHeader() {
        assertEquals(1009, feed(new FrameGuard(1000), WireClient.frame(0x82, true, 1001, new byte[0]), 3).code());
        assertNull(feed(new FrameGuard(1000), WireClient.frame(0x82, true, 1000, new byte[0]), 3));
        assertEquals(1009, feed(new FrameGuard(1000), WireClient.frame(0x02, true, 1L << 40, new byte[0]), 4).code());
    }
}
