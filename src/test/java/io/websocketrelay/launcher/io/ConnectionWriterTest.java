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

    /** Splits what the sink was given into the server frames in it, each as "opcode:payload" or "opcode:#length". */
    private static List<String> serverFrames(List<ByteBuffer> writes) {
        List<String> frames = new ArrayList<>();
        for (ByteBuffer write : writes) {
            ByteBuffer in = write.duplicate();
            while (in.hasRemaining()) {
                int first = in.get() & 0xff;
                int length7 = in.get() & 0x7f;
                long length = length7 == 126 ? in.getShort() & 0xffff : length7 == 127 ? in.getLong() : length7;
                byte[] payload = new byte[(int) length];
                in.get(payload);
                frames.add(Integer.toHexString(first) + ":" + (length > 20 ? "#" + length
                        : new String(payload, StandardCharsets.UTF_8)));
            }
        }
        return frames;
    }

    @Test
    void theRelaysMessagesAreFramedHereInOrderWithTyrussFrames() {
        FakeSink sink = new FakeSink();
        ConnectionWriter writer = new ConnectionWriter(sink, Runnable::run);
        List<String> events = new ArrayList<>();
        ConnectionWriter.batched(() -> {
            writer.send(true, bytes("héllo"), failure -> events.add("text " + failure));
            writer.write(frame(0x8a, "pong"), new Done(events, "pong"));
            writer.send(false, ByteBuffer.allocate(126), failure -> events.add("126 " + failure));
            assertEquals(List.of("text null", "pong", "126 null"), events, "gathered frames count as written");
        });
        assertEquals(1, sink.frames.size(), "one write for the round");
        // outside a round, and with the socket behind: one frame per write, completed when written
        writer.send(false, ByteBuffer.allocate(65535), failure -> events.add("65535 " + failure));
        writer.send(false, ByteBuffer.allocate(65536), failure -> events.add("65536 " + failure));
        writer.send(true, ByteBuffer.allocate(0), failure -> events.add("empty " + failure));
        assertEquals(4, sink.frames.size());
        assertEquals(List.of("81:héllo", "8a:pong", "82:#126", "82:#65535", "82:#65536", "81:"), serverFrames(sink.frames));
        assertEquals(3, events.size());
        sink.completeAll();
        assertEquals(List.of("text null", "pong", "126 null", "65535 null", "65536 null", "empty null"), events);
    }

    @Test
    void nothingIsSentAfterTyrussCloseFrameOrAfterTheConnectionClosed() {
        FakeSink sink = new FakeSink();
        sink.immediate = true;
        List<Runnable> failures = new ArrayList<>();
        ConnectionWriter writer = new ConnectionWriter(sink, failures::add);
        List<String> events = new ArrayList<>();
        writer.send(true, bytes("before"), failure -> events.add("before " + failure));
        writer.write(frame(0x88, ""), null);
        writer.send(true, bytes("after"), failure -> events.add("after " + (failure == null ? "sent" : "refused")));
        assertEquals(List.of("81:before", "88:"), serverFrames(sink.frames));
        assertEquals(List.of("before null"), events, "a refusal is reported on the failures' thread");
        failures.forEach(Runnable::run);
        assertEquals(List.of("before null", "after refused"), events);

        ConnectionWriter closed = new ConnectionWriter(new FakeSink(), Runnable::run);
        closed.close();
        closed.send(false, bytes("late"), failure -> events.add("late " + (failure == null ? "sent" : "refused")));
        assertEquals("late refused", events.get(events.size() - 1));
    }
}
