package io.websocketrelay.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.websocketrelay.core.Transport;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * What this node posts to one other node: frames gathered into one {@code XADD} per batch, in the order posted, and
 * a window of flow control over the bytes of data that node has not yet taken.
 *
 * <p>Each batch carries the offset of the data posted so far; the other node answers with the offset it has read
 * ({@link Entries#ACK}). A sender's send completes at once while less than {@link #WINDOW_BYTES} of data are
 * unread there; past it, when the other node has caught up. So a node that reads its inbox slower than this one
 * posts holds up the senders here (whose own send buffers are bounded), and its inbox holds at most about the
 * window, never an unbounded stream.
 *
 * <p>Threading: {@link #post} from any thread but a Netty one (the cluster moves every Redis completion off them);
 * the poster that finds no drain running issues the batches, one at a time, until the queue is empty, while the
 * posters that come meanwhile only queue. So the batches reach Redis in the order posted, and a message costs no
 * hand-off to another thread.
 */
final class Outbox {

    /** Data bytes posted to one node and not yet read there before senders wait. */
    static final long WINDOW_BYTES = 4L << 20;
    /** Largest batch, in bytes of frames, of one XADD. */
    private static final int BATCH_BYTES = 256 << 10;
    /**
     * Most batches on their way to Redis at once: a light load leaves at once, one message per batch; a heavy one
     * gathers in the queue meanwhile and leaves in big batches, instead of as many commands as messages.
     */
    private static final int IN_FLIGHT = 4;

    /** A frame waiting for its batch; its sender's callback, while the window is closed. */
    private record Queued(byte[] frame, long offset, Transport.SendCallback done, Remote remote) {
    }

    private final Cluster cluster;
    private final String node;
    private final String key;
    // guarded by this
    private final ArrayDeque<Queued> frames = new ArrayDeque<>();
    private final ArrayDeque<Queued> held = new ArrayDeque<>();
    private long posted;
    private long read;
    private long sequence;
    private boolean draining;
    private int inFlight;
    private boolean closed;

    Outbox(Cluster cluster, String node, String key) {
        this.cluster = cluster;
        this.node = node;
        this.key = key;
    }

    /**
     * Queues a frame for the next batch.
     *
     * @param size   the bytes of data it carries (0 for a control frame), counted against the window
     * @param done   the sender's callback, or {@code null}
     * @param remote the link it travels on, told if it is lost after its sender was told it was sent
     */
    void post(byte[] frame, int size, Transport.SendCallback done, Remote remote) {
        boolean now;
        boolean drain;
        boolean gone;
        synchronized (this) {
            gone = closed;
            if (gone) {
                now = false;
                drain = false;
            } else {
                posted += size;
                Queued queued = new Queued(frame, posted, done, remote);
                frames.add(queued);
                now = posted - read <= WINDOW_BYTES;
                if (!now && done != null) {
                    held.add(queued);
                }
                drain = !draining;
                draining = true;
            }
        }
        if (gone) {
            if (done != null) {
                done.sent(new IllegalStateException("node " + node + " is gone"));
            }
            return;
        }
        if (now && done != null) {
            done.sent(null);
        }
        if (drain) {
            drain(); // on this thread: no hand-off per message; the posters that come meanwhile only queue
        }
    }

    /** Issues the queued frames as batches; one caller at a time ({@code draining}). */
    private void drain() {
        while (true) {
            List<Queued> batch = new ArrayList<>();
            long seq;
            long offset;
            synchronized (this) {
                if (frames.isEmpty() || inFlight >= IN_FLIGHT) {
                    draining = false; // the next post, or the answer of a batch in flight, drains again
                    return;
                }
                int bytes = 0;
                while (!frames.isEmpty() && (batch.isEmpty() || bytes < BATCH_BYTES)) {
                    Queued next = frames.poll();
                    batch.add(next);
                    bytes += next.frame.length;
                }
                inFlight++;
                seq = ++sequence;
                offset = batch.get(batch.size() - 1).offset;
            }
            List<byte[]> encoded = new ArrayList<>(batch.size());
            for (Queued queued : batch) {
                encoded.add(queued.frame);
            }
            Map<String, byte[]> entry = new HashMap<>(8);
            entry.put(Entries.NODE, cluster.nodeId().getBytes(UTF_8));
            entry.put(Entries.SEQUENCE, Long.toString(seq).getBytes(UTF_8));
            entry.put(Entries.OFFSET, Long.toString(offset).getBytes(UTF_8));
            entry.put(Entries.BATCH, Frames.batch(encoded));
            CompletionStage<String> added = cluster.xadd(key, entry);
            added.whenComplete((id, failure) -> { // on a Netty thread: nothing is issued here
                boolean again;
                synchronized (this) {
                    inFlight--;
                    again = !draining && !frames.isEmpty();
                    if (again) {
                        draining = true;
                    }
                }
                if (again) {
                    cluster.drain(this::drain);
                }
                if (failure != null) {
                    cluster.execute(() -> lost(batch, failure)); // off Netty: what follows may post
                }
            });
        }
    }

    /** A batch did not reach Redis: the links it carried data for cannot keep their promise. */
    private void lost(List<Queued> batch, Throwable failure) {
        Set<Remote> remotes = new LinkedHashSet<>();
        for (Queued queued : batch) {
            if (queued.remote != null) {
                remotes.add(queued.remote);
            }
        }
        for (Remote remote : remotes) {
            remote.lost(failure);
        }
        cluster.failed("posting to node " + node, failure);
    }

    /** The other node has read the data up to {@code offset}: held senders within the window go on. */
    void read(long offset) {
        List<Queued> release = new ArrayList<>();
        synchronized (this) {
            if (offset <= read) {
                return;
            }
            read = offset;
            while (!held.isEmpty() && held.peek().offset - read <= WINDOW_BYTES) {
                release.add(held.poll());
            }
        }
        for (Queued queued : release) {
            queued.done.sent(null);
        }
    }

    /** The other node is gone: held senders fail (their links end), nothing more is posted. */
    void close() {
        List<Queued> release;
        synchronized (this) {
            closed = true;
            release = new ArrayList<>(held);
            held.clear();
            frames.clear();
        }
        for (Queued queued : release) {
            queued.done.sent(new IllegalStateException("node " + node + " is gone"));
        }
    }
}
