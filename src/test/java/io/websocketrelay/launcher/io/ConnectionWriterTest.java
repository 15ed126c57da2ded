package io.websocketrelay.launcher.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.glassfish.tyrus.spi.CompletionHandler;
import org.junit.jupiter.api.Test;

class ConnectionWriterTest {

    /** A write queue that completes writes only when told to (or at once, when {@code immediate}). */
    private static final class FakeSink implements ConnectionWriter.Sink {
        final List<String> written = new ArrayList<>();
        /** The same writes as handed over, undecoded. */
        final List<ByteBuffer> frames = new ArrayList<>();
        final List<Consumer<Throwable>> pending = new ArrayList<>();
        boolean immediate;
        boolean closed;

        @Override
        public void write(ByteBuffer bytes, Consumer<Throwable> done) {
            frames.add(bytes.duplicate());
            written.add(StandardCharsets.UTF_8.decode(bytes).toString());
            if (immediate) {
                done.accept(null);
            } else {
                pending.add(done);
            }
        }

        @Override
        public void close() {
            closed = true;
        }

        void completeAll() {
            List<Consumer<Throwable>> now = new ArrayList<>(pending);
            pending.clear();
            now.forEach(done -> done.accept(null));
        }
    }

    /** Records completions of Tyrus's handlers. */
    private static final class Done extends CompletionHandler<ByteBuffer> {
        final List<String> events;
        final String name;

        Done(List<String> events, String name) {
            this.events = events;
            this.name = name;
        }

        @Override
        public void completed(ByteBuffer result) {
            events.add(name);
        }

        @Override
        public void failed(Throwable failure) {
            events.add(name + " failed");
        }
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void outsideARoundEachWriteGoesStraightToTheSinkAndCompletesWhenWritten() {
        FakeSink sink = new FakeSink();
        ConnectionWriter writer = new ConnectionWriter(sink, Runnable::run);
        List<String> events = new ArrayList<>();
        writer.write(bytes("a"), new Done(events, "a"));
        assertEquals(List.of("a"), sink.written);
        assertEquals(List.of(), events);
        assertEquals(1, writer.unwritten());
        sink.completeAll();
        assertEquals(List.of("a"), events);
        assertEquals(0, writer.unwritten());
    }

    @Test
    void aRoundGathersWritesIntoOneInOrderAndReportsThemAtOnce() {
        FakeSink sink = new FakeSink();
        ConnectionWriter writer = new ConnectionWriter(sink, Runnable::run);
        List<String> events = new ArrayList<>();
        ConnectionWriter.batched(() -> {
            writer.write(bytes("one "), new Done(events, "1"));
            writer.write(bytes("two "), new Done(events, "2"));
            writer.write(bytes("three"), new Done(events, "3"));
            assertEquals(List.of(), sink.written, "nothing reaches the connection before the round ends");
            assertEquals(List.of("1", "2", "3"), events, "gathered frames count as written");
        });
        assertEquals(List.of("one two three"), sink.written);
        assertEquals(13, writer.unwritten());
    }

    @Test
    void whileTheConnectionIsBehindWritesAreNotGatheredAndCompleteOnlyWhenWritten() {
        FakeSink sink = new FakeSink();
        ConnectionWriter writer = new ConnectionWriter(sink, Runnable::run);
        List<String> events = new ArrayList<>();
        writer.write(bytes("slow"), new Done(events, "slow")); // not written yet
        ConnectionWriter.batched(() -> writer.write(bytes("next"), new Done(events, "next")));
        assertEquals(List.of("slow", "next"), sink.written);
        assertEquals(List.of(), events, "nothing may count as written while the socket is behind");
        sink.completeAll();
        assertEquals(List.of("slow", "next"), events);
    }

    @Test
    void aWriteFromOutsideTheRoundHandsTheGatheredFramesOverFirst() {
        FakeSink sink = new FakeSink();
        sink.immediate = true;
        ConnectionWriter writer = new ConnectionWriter(sink, Runnable::run);
        List<String> events = new ArrayList<>();
        ConnectionWriter.batched(() -> {
            writer.write(bytes("a"), new Done(events, "a"));
            writer.write(bytes("b"), new Done(events, "b"));
            // another thread (the heartbeat, say) writes meanwhile
            Thread other = new Thread(() -> writer.write(bytes("ping"), new Done(events, "ping")));
            other.start();
            try {
                other.join(10_000);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            writer.write(bytes("c"), new Done(events, "c"));
        });
        assertEquals(List.of("ab", "ping", "c"), sink.written);
        assertEquals(List.of("a", "b", "ping", "c"), events);
    }

    @Test
    void aCompletionThatWritesAgainRunsAfterTheLockAndKeepsTheOrder() {
        FakeSink sink = new FakeSink();
        sink.immediate = true;
        ConnectionWriter writer = new ConnectionWriter(sink, Runnable::run);
        List<String> events = new ArrayList<>();
        writer.write(bytes("first"), new CompletionHandler<>() {
            @Override
            public void completed(ByteBuffer result) {
                events.add("first");
                writer.write(bytes("second"), new Done(events, "second"));
            }
        });
        assertEquals(List.of("first", "second"), sink.written);
        assertEquals(List.of("first", "second"), events);
    }

    @Test
    void closeHandsOverWhatWasGatheredBeforeClosing() {
        FakeSink sink = new FakeSink();
        sink.immediate = true;
        ConnectionWriter writer = new ConnectionWriter(sink, Runnable::run);
        ConnectionWriter.batched(() -> {
            writer.write(bytes("bye"), null);
            writer.close();
            assertEquals(List.of("bye"), sink.written);
            assertTrue(sink.closed);
        });
        assertEquals(List.of("bye"), sink.written);
    }

    @Test
    void aThreadInsideAWriteKnowsIt() {
        List<Boolean> seen = new ArrayList<>();
        List<Runnable> handedOff = new ArrayList<>();
        ConnectionWriter writer = new ConnectionWriter(new ConnectionWriter.Sink() {
            @Override
            public void write(ByteBuffer bytes, Consumer<Throwable> done) {
                seen.add(ConnectionWriter.writing()); // where Grizzly would close a connection whose write failed
                done.accept(new java.io.IOException("reset"));
            }

            @Override
            public void close() {
                seen.add(ConnectionWriter.writing());
            }
        }, handedOff::add);
        assertEquals(false, ConnectionWriter.writing());
        List<String> events = new ArrayList<>();
        writer.write(bytes("x"), new Done(events, "x"));
        assertEquals(List.of(), events, "a failure is reported from elsewhere, not inside the write");
        assertEquals(1, handedOff.size());
        handedOff.get(0).run();
        assertEquals(List.of("x failed"), events);
        writer.close();
        assertEquals(List.of(true, true), seen);
        assertEquals(false, ConnectionWriter.writing());
    }

    private static ByteBuffer frame(int first, String payload) {
        byte[] data = payload.getBytes(StandardCharsets.UTF_8);
        ByteBuffer frame = ByteBuffer.allocate(2 + data.length);
        frame.put((byte) first).put((byte) data.length).put(data).flip();
        return frame;
    }

    @Test
    void markedSendLeavesAsTextAndOnlyItsBinaryFrameIsChanged() {
        FakeSink sink = new FakeSink();
        sink.immediate = true;
        ConnectionWriter counting = new ConnectionWriter(sink, Runnable::run);
        List<ByteBuffer> frames = sink.frames;
        // a ping written during the send passes as it is, then the send's binary frame becomes text (FIN kept)
        assertTrue(counting.sendMarked(() -> {
            counting.write(frame(0x89, ""), null);
            counting.write(frame(0x82, "hi"), null);
        }));
        // the mark is used once: a second binary frame in the same send, and frames after it, stay binary
        assertTrue(counting.sendMarked(() -> {
            counting.write(frame(0x82, "a"), null);
            counting.write(frame(0x82, "b"), null);
        }));
        counting.write(frame(0x82, "c"), null);
        // a send that wrote nothing reports it, and leaves no mark behind
        assertEquals(false, counting.sendMarked(() -> { }));
        counting.write(frame(0x02, "d"), null);
        // a read-only frame is copied, not refused
        assertTrue(counting.sendMarked(() -> counting.write(frame(0x82, "ro").asReadOnlyBuffer(), null)));
        List<Integer> firstBytes = new ArrayList<>();
        frames.forEach(f -> firstBytes.add(f.get(f.position()) & 0xff));
        assertEquals(List.of(0x89, 0x81, 0x81, 0x82, 0x82, 0x02, 0x81), firstBytes);
        assertEquals("ro", StandardCharsets.UTF_8.decode(frames.get(6).position(2)).toString());
    }
}
