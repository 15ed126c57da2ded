package io.websocketrelay.launcher.io;

import io.websocketrelay.endpoint.TextAsBinary;
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
final class ConnectionWriter extends Writer implements TextAsBinary {

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
    /** The next binary data frame written is a text message's (see {@link #sendMarked}). */
    private boolean textNext;

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
     * Runs a binary send of this connection whose frame is to leave as a text frame: the relay keeps one message in
     * flight per connection, and Tyrus writes a send's frame on the calling thread, so the first binary data frame
     * written during {@code binarySend} is that send's.
     */
    @Override
    public boolean sendMarked(Runnable binarySend) {
        synchronized (this) {
            textNext = true;
        }
        boolean marked;
        try {
            binarySend.run();
        } finally {
            synchronized (this) {
                marked = !textNext;
                textNext = false;
            }
        }
        return marked;
    }

    /** @return the frame with a binary opcode turned into text's, and the mark taken; other frames as they are */
    // caller holds this
    private ByteBuffer markedText(ByteBuffer frame) {
        int at = frame.position();
        byte first = frame.get(at);
        if ((first & 0x0f) != 0x2) {
            return frame; // a control frame written meanwhile (a ping, a close) leaves as it is
        }
        textNext = false;
        ByteBuffer writable = frame;
        if (frame.isReadOnly()) {
            writable = ByteBuffer.allocate(frame.remaining()).put(frame.duplicate()).flip();
            at = 0;
        }
        writable.put(at, (byte) ((first & 0xf0) | 0x1));
        return writable;
    }

    private void write(Round round, ByteBuffer bytes, CompletionHandler<ByteBuffer> done) {
        boolean gathered = false;
        synchronized (this) {
            if (textNext) {
                bytes = markedText(bytes);
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
        handOver(all, null);
    }

    // caller holds this
    private void handOver(ByteBuffer bytes, CompletionHandler<ByteBuffer> done) {
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
                try {
                    failures.execute(() -> done.failed(failure));
                } catch (RejectedExecutionException stopping) {
                    done.failed(failure); // the relay is stopping
                }
                return;
            }
            Runnable report = () -> done.completed(bytes);
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
