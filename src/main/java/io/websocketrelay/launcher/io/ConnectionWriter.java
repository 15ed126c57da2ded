package io.websocketrelay.launcher.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.tyrus.spi.CompletionHandler;
import org.glassfish.tyrus.spi.Writer;

/**
 * Tyrus's writer for one upgraded connection, which gathers the frames written to it while a thread handles one
 * read (of any connection) into one write.
 *
 * <p>Why: a client that streams sends many small frames per TCP segment; the relay reads them in one go and relays
 * each to the peer, which used to cost one socket write per message. Now the frames a read produces for a
 * connection are copied into one buffer and written when the read has been handled ({@link #batched}).
 *
 * <p>Bounds: a frame that joins a batch counts as written at once, so the relay's peer sends its next message
 * without waiting (it keeps one send in flight). That is allowed only while everything handed to the connection
 * before has been written to the socket ({@link #unwritten} is 0). So a batch holds at most what one read produced,
 * and once the socket falls behind, writes complete only when written again and the relay's send buffer limits the
 * queue as before.
 *
 * <p>Order: appending to the batch and handing bytes to the connection happen under this object's lock, and any
 * write that does not join the batch hands the batch over first, from whichever thread. Completions that arrive
 * while the lock is held (a write that finished at once) run after it is released.
 */
final class ConnectionWriter extends Writer {

    private static final Logger LOG = Logger.getLogger(ConnectionWriter.class.getName());

    /** Where the bytes go: the connection's write queue. */
    interface Sink {
        /**
         * Queues bytes for writing, in call order.
         *
         * @param done called once with {@code null} when they are written, or with the failure
         */
        void write(ByteBuffer bytes, Consumer<Throwable> done);

        /** Closes the connection once everything queued is written. */
        void close();
    }

    /** The writers a thread gathered frames for while it handles one read, and whether it is inside a write. */
    private static final class Round {
        boolean open;
        int writing;
        final List<ConnectionWriter> touched = new ArrayList<>();
    }

    private static final ThreadLocal<Round> ROUND = ThreadLocal.withInitial(Round::new);

    private final Sink sink;
    private final Executor failures;
    /** Bytes handed to the sink and not yet written. */
    private final AtomicLong unwritten = new AtomicLong();

    // guarded by this
    private final List<ByteBuffer> batch = new ArrayList<>();
    private int batchBytes;
    private boolean listed;
    private ArrayDeque<Runnable> completions; // made when first needed: most connections never need it
    /** A close frame was written, or the connection closed: no data frame may follow. */
    private boolean closing;

    /** What a data frame sent after the close is told. */
    private static final IOException CLOSING = new IOException("the connection is closing; nothing more is sent on it");

    /**
     * @param sink     the connection's write queue
     * @param failures where a failed write is reported: a failure ends the session, which tells its peer and so
     *                 takes the peer's locks, and the thread that wrote may hold this connection's (Tyrus sends
     *                 under a lock); two peers failing at once on two threads would take them in opposite order
     */
    ConnectionWriter(Sink sink, Executor failures) {
        this.sink = sink;
        this.failures = failures;
    }

    /**
     * Runs the handling of one read with this thread's writes gathered, then hands each connection's gathered frames
     * to it as one write. A nested call runs inside the outer round.
     */
    static void batched(Runnable read) {
        Round round = ROUND.get();
        if (round.open) {
            read.run();
            return;
        }
        round.open = true;
        try {
            read.run();
        } finally {
            round.open = false;
            for (int i = 0; i < round.touched.size(); i++) {
                round.touched.get(i).flush();
            }
            round.touched.clear();
        }
    }

    /**
     * @return whether this thread is inside a write, flush or close of some connection, and so may hold Tyrus's and
     *         this class's locks: work that takes other connections' locks must not run here (see
     *         {@code TyrusBridge})
     */
    static boolean writing() {
        return ROUND.get().writing > 0;
    }

    @Override
    public void write(ByteBuffer bytes, CompletionHandler<ByteBuffer> done) {
        Round round = ROUND.get();
        round.writing++;
        try {
            write(round, bytes, done);
        } finally {
            round.writing--;
        }
    }

    /**
     * Sends one message as a data frame that this class frames itself, past Tyrus: the relay's own messages, which
     * Tyrus would frame with a lock, two frame objects and two copies of the payload per message. Ordered with
     * Tyrus's own frames (pongs, closes) by this object's lock; nothing is sent after a close frame.
     *
     * @param payload the message (UTF-8 for text), which the caller does not change again
     * @param done    called once with {@code null} when the frame is written (or gathered into this round's write),
     *                or with the failure
     */
    void send(boolean text, ByteBuffer payload, Consumer<Throwable> done) {
        Round round = ROUND.get();
        round.writing++;
        try {
            boolean gathered = false;
            boolean refused = false;
            synchronized (this) {
                if (closing) {
                    refused = true;
                } else if (round.open && unwritten.get() == 0) {
                    ByteBuffer header = header(text, payload.remaining(), 0);
                    batch.add(header.flip());
                    batch.add(payload);
                    batchBytes += header.remaining() + payload.remaining();
                    if (!listed) {
                        listed = true;
                        round.touched.add(this);
                    }
                    gathered = true;
                } else {
                    ByteBuffer frame = header(text, payload.remaining(), payload.remaining());
                    frame.put(payload).flip();
                    handOverBatch();
                    handOverThen(frame, done);
                }
            }
            if (refused) {
                report(done, CLOSING);
            } else if (gathered) {
                done.accept(null);
            }
            runCompletions();
        } finally {
            round.writing--;
        }
    }

    /** @return a buffer holding a server frame's header for a payload of {@code length}, with room for {@code extra} more */
    private static ByteBuffer header(boolean text, int length, int extra) {
        int size = length <= 125 ? 2 : length <= 0xffff ? 4 : 10;
        ByteBuffer header = ByteBuffer.allocate(size + extra);
        header.put((byte) (text ? 0x81 : 0x82));
        if (length <= 125) {
            header.put((byte) length);
        } else if (length <= 0xffff) {
            header.put((byte) 126).putShort((short) length);
        } else {
            header.put((byte) 127).putLong(length);
        }
        return header;
    }

    private void write(Round round, ByteBuffer bytes, CompletionHandler<ByteBuffer> done) {
        boolean gathered = false;
        synchronized (this) {
            if (bytes.hasRemaining() && (bytes.get(bytes.position()) & 0x0f) == 0x8) {
                closing = true; // Tyrus's close frame: the relay's data frames stop here, as Tyrus's would
            }
            if (round.open && unwritten.get() == 0) {
                batch.add(bytes);
                batchBytes += bytes.remaining();
                if (!listed) {
                    listed = true;
                    round.touched.add(this);
                }
                gathered = true;
            } else {
                handOverBatch();
                handOver(bytes, done);
            }
        }
        if (gathered && done != null) {
            done.completed(bytes);
        }
        runCompletions();
    }

    /** Hands the gathered frames to the connection as one write. */
    void flush() {
        Round round = ROUND.get();
        round.writing++;
        try {
            synchronized (this) {
                listed = false;
                handOverBatch();
            }
            runCompletions();
        } finally {
            round.writing--;
        }
    }

    @Override
    public void close() {
        Round round = ROUND.get();
        round.writing++;
        try {
            synchronized (this) {
                closing = true;
            }
            flush();
            sink.close();
        } finally {
            round.writing--;
        }
    }

    /** @return bytes handed to the connection and not yet written; for tests */
    long unwritten() {
        return unwritten.get();
    }

    // caller holds this
    private void handOverBatch() {
        if (batch.isEmpty()) {
            return;
        }
        ByteBuffer all;
        if (batch.size() == 1) {
            all = batch.get(0);
        } else {
            all = ByteBuffer.allocate(batchBytes);
            for (ByteBuffer part : batch) {
                all.put(part);
            }
            all.flip();
        }
        batch.clear();
        batchBytes = 0;
        // the frames in it were reported written already; a failure ends the connection, which Tyrus learns of
        handOverThen(all, null);
    }

    // caller holds this
    private void handOver(ByteBuffer bytes, CompletionHandler<ByteBuffer> done) {
        handOverThen(bytes, done == null ? null : failure -> {
            if (failure == null) {
                done.completed(bytes);
            } else {
                done.failed(failure);
            }
        });
    }

    /** Tells {@code done} of a failure on the failures' thread: it ends a session, which takes its peer's locks. */
    private void report(Consumer<Throwable> done, Throwable failure) {
        try {
            failures.execute(() -> done.accept(failure));
        } catch (RejectedExecutionException stopping) {
            done.accept(failure); // the relay is stopping
        }
    }

    // caller holds this
    private void handOverThen(ByteBuffer bytes, Consumer<Throwable> done) {
        int size = bytes.remaining();
        unwritten.addAndGet(size);
        sink.write(bytes, failure -> {
            unwritten.addAndGet(-size);
            if (done == null) {
                if (failure != null) {
                    LOG.log(Level.FINE, "A gathered write failed: {0}", failure.toString());
                }
                return;
            }
            if (failure != null) {
                report(done, failure);
                return;
            }
            Runnable report = () -> done.accept(null);
            if (Thread.holdsLock(this)) {
                if (completions == null) {
                    completions = new ArrayDeque<>(4);
                }
                completions.add(report); // finished inside handOver: report once the lock is released
            } else {
                report.run();
            }
        });
    }

    private void runCompletions() {
        while (true) {
            Runnable next;
            synchronized (this) {
                next = completions == null ? null : completions.poll();
            }
            if (next == null) {
                return;
            }
            next.run();
        }
    }
}
