package io.websocketrelay.launcher.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.websocketrelay.testing.WireClient;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

    /** What a lane was given, in order: the bytes for Tyrus, and each message re-framed as the server would read it. */
    private static final class Recorder implements FrameGuard.Lane {
        final ByteArrayOutputStream stream = new ByteArrayOutputStream();
        final List<String> messages = new ArrayList<>();

        @Override
        public void tyrus(byte[] bytes, int from, int to) {
            stream.write(bytes, from, to - from);
        }

        @Override
        public void message(boolean text, byte[] bytes, int offset, int length) {
            byte[] payload = Arrays.copyOfRange(bytes, offset, offset + length);
            stream.writeBytes(WireClient.frame(text ? 0x81 : 0x82, false, length, payload));
            messages.add((text ? "text " : "binary ") + length);
        }
    }

    @Test
    void wholeMessagesTakeTheLaneAndEverythingElseGoesToTyrusInOrder() {
        Random random = new Random(7);
        byte[] binary = new byte[300];
        random.nextBytes(binary);
        byte[][] first = {
            {(byte) 0x81}, "hello".getBytes(StandardCharsets.UTF_8), // a whole text
            {(byte) 0x82}, binary, // a whole binary
            {(byte) 0x81}, {'o', 'k', (byte) 0xc3, (byte) 0x28}, // malformed UTF-8: Tyrus answers it
            {(byte) 0x01}, "frag".getBytes(StandardCharsets.UTF_8), // a fragmented text, a ping inside it
            {(byte) 0x89}, "p".getBytes(StandardCharsets.UTF_8),
            {(byte) 0x80}, "mented".getBytes(StandardCharsets.UTF_8),
            {(byte) 0x81}, "é after".getBytes(StandardCharsets.UTF_8), // a whole text again
            {(byte) 0xc1}, "rsv1".getBytes(StandardCharsets.UTF_8), // a reserved bit: Tyrus answers it
            {(byte) 0x88}, WireClient.closePayload(1000, "bye"), // after a close frame everything goes to Tyrus
            {(byte) 0x81}, "late".getBytes(StandardCharsets.UTF_8),
        };
        ByteArrayOutputStream masked = new ByteArrayOutputStream();
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        for (int i = 0; i < first.length; i += 2) {
            masked.writeBytes(WireClient.frame(first[i][0] & 0xff, true, first[i + 1].length, first[i + 1]));
            plain.writeBytes(WireClient.frame(first[i][0] & 0xff, false, first[i + 1].length, first[i + 1]));
        }
        byte[] stream = masked.toByteArray();
        List<String> whole = List.of("text 5", "binary 300", "text 8");
        for (int chunk : new int[] {1, 2, 3, 5, 8, 13, 100, 200, stream.length}) {
            Recorder lane = new Recorder();
            FrameGuard guard = new FrameGuard(100_000);
            for (int i = 0; i < stream.length; i += chunk) {
                assertNull(guard.read(Buffers.wrap(null, Arrays.copyOfRange(stream, i, Math.min(stream.length, i + chunk))),
                        lane), "chunks of " + chunk);
            }
            assertArrayEquals(plain.toByteArray(), lane.stream.toByteArray(), "chunks of " + chunk);
            assertTrue(whole.containsAll(lane.messages), "chunks of " + chunk + ": " + lane.messages);
            if (chunk == stream.length) {
                assertEquals(whole, lane.messages, "chunks of " + chunk);
            }
        }
    }

    @Test
    void aFrameWhosePayloadIsNotAllThereGoesToTyrus() {
        byte[] payload = new byte[1000];
        byte[] frame = WireClient.frame(true, WireClient.BINARY, payload);
        Recorder lane = new Recorder();
        FrameGuard guard = new FrameGuard(100_000);
        assertNull(guard.read(Buffers.wrap(null, Arrays.copyOfRange(frame, 0, 500)), lane));
        assertNull(guard.read(Buffers.wrap(null, Arrays.copyOfRange(frame, 500, frame.length)), lane));
        assertEquals(List.of(), lane.messages);
        assertArrayEquals(WireClient.frame(0x82, false, payload.length, payload), lane.stream.toByteArray());
    }

    @Test
    void aViolationAfterWholeMessagesStopsTheReadThere() {
        byte[] stream = frames(WireClient.frame(true, WireClient.TEXT, "one".getBytes(StandardCharsets.UTF_8)),
                WireClient.frame(0x82, false, 3, new byte[3])); // unmasked
        Recorder lane = new Recorder();
        FrameGuard.Violation violation = new FrameGuard(1000).read(Buffers.wrap(null, stream), lane);
        assertEquals(1002, violation.code());
        assertEquals(List.of("text 3"), lane.messages);
    }
}
