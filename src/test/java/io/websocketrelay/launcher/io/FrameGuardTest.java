package io.websocketrelay.launcher.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.websocketrelay.testing.WireClient;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.memory.BuffersBuffer;
import org.glassfish.grizzly.memory.ByteBufferWrapper;
import org.glassfish.grizzly.memory.MemoryManager;
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

    /** Feeds the stream in chunks of buffers made by {@code wrap}; @return what the guard left in them, joined */
    private static byte[] unmasked(FrameGuard guard, byte[] stream, int chunk, Function<byte[], Buffer> wrap) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < stream.length; i += chunk) {
            Buffer part = wrap.apply(Arrays.copyOfRange(stream, i, Math.min(stream.length, i + chunk)));
            assertNull(guard.read(part));
            byte[] result = new byte[part.remaining()];
            part.get(result);
            out.writeBytes(result);
        }
        return out.toByteArray();
    }

    @Test
    void framesLeaveUnmaskedWithoutTheirKeysHoweverTheBytesAreSplit() {
        Random random = new Random(42);
        ByteArrayOutputStream masked = new ByteArrayOutputStream();
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        int[] sizes = {0, 1, 3, 7, 8, 9, 15, 16, 17, 64, 125, 126, 127, 300, 65535, 65536, 70001};
        for (int i = 0; i < sizes.length; i++) {
            byte[] payload = new byte[sizes[i]];
            random.nextBytes(payload);
            int first = i % 3 == 0 ? 0x81 : i % 3 == 1 ? 0x02 : 0x80; // text, an unfinished binary, a continuation
            masked.writeBytes(WireClient.frame(first, true, payload.length, payload));
            plain.writeBytes(WireClient.frame(first, false, payload.length, payload));
        }
        byte[] ping = WireClient.closePayload(1000, "bye");
        masked.writeBytes(WireClient.frame(0x88, true, ping.length, ping));
        plain.writeBytes(WireClient.frame(0x88, false, ping.length, ping));
        byte[] stream = masked.toByteArray();
        Function<byte[], Buffer> heap = bytes -> Buffers.wrap(null, bytes);
        Function<byte[], Buffer> direct = bytes -> {
            ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length);
            buffer.put(bytes).flip();
            return new ByteBufferWrapper(buffer);
        };
        Function<byte[], Buffer> composite = bytes -> BuffersBuffer.create(MemoryManager.DEFAULT_MEMORY_MANAGER,
                Buffers.wrap(null, Arrays.copyOfRange(bytes, 0, bytes.length / 2)),
                Buffers.wrap(null, Arrays.copyOfRange(bytes, bytes.length / 2, bytes.length)));
        Function<byte[], Buffer> offset = bytes -> { // a heap buffer that starts inside its array
            byte[] bigger = new byte[bytes.length + 5];
            System.arraycopy(bytes, 0, bigger, 3, bytes.length);
            return Buffers.wrap(null, bigger, 3, bytes.length);
        };
        for (int chunk : new int[] {1, 2, 3, 5, 8, 13, 100, 4096, 16384, stream.length}) {
            assertArrayEquals(plain.toByteArray(), unmasked(new FrameGuard(100_000), stream, chunk, heap),
                    "heap chunks of " + chunk);
            assertArrayEquals(plain.toByteArray(), unmasked(new FrameGuard(100_000), stream, chunk, offset),
                    "offset heap chunks of " + chunk);
        }
        for (int chunk : new int[] {1, 7, 1000, stream.length}) {
            assertArrayEquals(plain.toByteArray(), unmasked(new FrameGuard(100_000), stream, chunk, direct),
                    "direct chunks of " + chunk);
            assertArrayEquals(plain.toByteArray(), unmasked(new FrameGuard(100_000), stream, chunk, composite),
                    "composite chunks of " + chunk);
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
