package io.websocketrelay.core;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client on the relay: the id it joined, its pairing, and the single ordered path of everything sent to it.
 *
 * <p>Control messages and relayed data for a client go through one queue, with at most one send in flight on its
 * {@link Transport}; so they never interleave or reorder. The bytes queued or in flight are counted: past the send
 * buffer the client is closed with {@link Protocol#CLOSE_SLOW_RECEIVER}, its queue is dropped, and the relay is told
 * through {@code onBroken} so its peer can be matched again. Text counts one byte per character.
 *
 * <p>Threading: all state is guarded by {@code this}. No method calls the transport or {@code onBroken} while holding
 * that lock, and {@link Pairings} may call the enqueueing methods while holding its own id lock (never the other
 * way round). Sending starts only in {@link #flush()}, which the caller runs after releasing any lock of its own.
 */
public final class Peer implements Transport.SendCallback {

    private static final Logger LOG = Logger.getLogger(Peer.class.getName());

    /** What happened to a message offered to a peer. */
    enum Offer {
        /** Queued; call {@link #flush()}. */
        QUEUED,
        /** The peer is not (or no longer) on the given link, or it is closed; nothing was queued. */
        REFUSED,
        /** The peer's send buffer overflowed; it is being closed; call {@link #flush()} to finish that. */
        OVERFLOW
    }

    private enum State { OPEN, OVERFLOWED, CLOSED }

    private final String id;
    private final Transport transport;
    private final long sendBuffer;
    private final Consumer<Peer> onBroken;
    private final RelayStats stats;

    // guarded by this
    private final ArrayDeque<Object> queue = new ArrayDeque<>(4);
    private State state = State.OPEN;
    private Link link;
    private long pendingBytes;
    private long inFlightBytes = -1;
    private boolean draining;
    private boolean waiting;
    private int closeCode;          // non-zero: close with it once everything queued is sent
    private String closeReason;

    // liveness: written by the connection's threads, read and reset by the heartbeat
    private volatile boolean heard = true;
    private volatile boolean active = true;
    // touched by the heartbeat thread only
    private boolean pinged;
    private int idleTicks;

    /**
     * @param id         the id the client joined
     * @param transport  its connection
     * @param sendBuffer the most bytes that may be queued or in flight for it
     * @param onBroken   told once when the peer is closed by the relay (overflow) or a send fails
     * @param stats      the relay's counters
     */
    Peer(String id, Transport transport, long sendBuffer, Consumer<Peer> onBroken, RelayStats stats) {
        this.id = id;
        this.transport = transport;
        this.sendBuffer = sendBuffer;
        this.onBroken = onBroken;
        this.stats = stats;
    }

    /** @return the id this client joined */
    public String id() {
        return id;
    }

    /** @return the link this peer is on, or {@code null} while it is alone */
    synchronized Link link() {
        return link;
    }

    /** @return whether this peer is the one waiting in its id's slot */
    synchronized boolean isWaiting() {
        return waiting;
    }

    /** @return whether this peer is still served: neither left, failed nor overflowed */
    synchronized boolean isOpen() {
        return state == State.OPEN;
    }

    /** @return the bytes queued or in flight for this peer */
    synchronized long pendingBytes() {
        return pendingBytes;
    }

    /** Queues a control message; returns whether the peer took it. */
    synchronized boolean control(String message) {
        return enqueue(message, message.length()) == Offer.QUEUED;
    }

    /**
     * Queues the answer to a message that found no peer, unless this client was paired meanwhile: then the
     * message should be relayed instead, and the answer would arrive after {@code /status:connected}.
     *
     * @return whether this client is still unpaired (the answer was queued, or it is closing)
     */
    synchronized boolean refusedWhileAlone(String answer) {
        if (link != null && state == State.OPEN) {
            return false;
        }
        enqueue(answer, answer.length());
        return true;
    }

    /** Marks this peer as the one waiting on its id and queues {@link Protocol#WAITING}. */
    synchronized boolean await() {
        if (state != State.OPEN) {
            return false;
        }
        waiting = true;
        link = null;
        return enqueue(Protocol.WAITING, Protocol.WAITING.length()) == Offer.QUEUED;
    }

    /**
     * Puts this peer on a link and queues the given control messages, in one step: nothing relayed on the link can
     * come before them. The link is kept even if the messages overflow the send buffer, so that the leave that
     * follows tells the other side.
     *
     * @return whether the peer was open and took them all
     */
    synchronized boolean pair(Link newLink, String... messages) {
        if (state != State.OPEN) {
            return false;
        }
        waiting = false;
        link = newLink;
        for (String message : messages) {
            if (enqueue(message, message.length()) != Offer.QUEUED) {
                return false;
            }
        }
        return true;
    }

    /**
     * Takes this peer off {@code oldLink} and queues {@link Protocol#REMOTE_CLOSE}: every message relayed on the old
     * link was queued before it.
     *
     * @return whether the peer was on that link and is still open, so it should be matched again
     */
    synchronized boolean unpair(Link oldLink) {
        if (link != oldLink) {
            return false;
        }
        link = null;
        if (state != State.OPEN) {
            return false;
        }
        return enqueue(Protocol.REMOTE_CLOSE, Protocol.REMOTE_CLOSE.length()) == Offer.QUEUED;
    }

    /**
     * Marks this peer gone: nothing more is queued or sent to it.
     *
     * @return the link it was on, or {@code null}
     */
    synchronized Link retire() {
        Link old = link;
        link = null;
        waiting = false;
        state = State.CLOSED;
        dropQueue();
        return old;
    }

    /**
     * Offers a message relayed on {@code via}; it is queued only if this peer is still on that link.
     *
     * @param message a {@link String} or a {@link ByteBuffer}
     */
    synchronized Offer relayed(Object message, Link via) {
        if (link != via) {
            return Offer.REFUSED;
        }
        return enqueue(message, message instanceof String text ? text.length() : ((ByteBuffer) message).remaining());
    }

    // caller holds this
    private Offer enqueue(Object message, int size) {
        if (state != State.OPEN) {
            return Offer.REFUSED;
        }
        long pending = pendingBytes + size;
        if (pending > sendBuffer) {
            state = State.OVERFLOWED; // the link stays, so that leave() tells the other side
            dropQueue();
            return Offer.OVERFLOW;
        }
        pendingBytes = pending;
        stats.pending(pending);
        queue.add(message);
        return Offer.QUEUED;
    }

    // caller holds this
    private void dropQueue() {
        queue.clear();
        pendingBytes = Math.max(inFlightBytes, 0);
    }

    /**
     * Starts sending what is queued, unless a send is already in flight, and finishes the close of an overflowed
     * peer. Call it after every enqueueing call, outside of any lock.
     */
    public void flush() {
        while (true) {
            Object next;
            boolean closeNow = false;
            synchronized (this) {
                if (state == State.OVERFLOWED) {
                    state = State.CLOSED;
                    next = null;
                } else if (closeCode != 0 && state == State.OPEN && !draining && inFlightBytes < 0 && queue.isEmpty()) {
                    state = State.CLOSED;
                    next = null;
                    closeNow = true;
                } else if (draining || inFlightBytes >= 0 || state != State.OPEN || queue.isEmpty()) {
                    return;
                } else {
                    next = queue.poll();
                    inFlightBytes = next instanceof String text ? text.length() : ((ByteBuffer) next).remaining();
                    draining = true;
                }
            }
            if (closeNow) {
                transport.close(closeCode, closeReason);
                return;
            }
            if (next == null) {
                stats.slowReceiverDropped();
                LOG.log(Level.INFO, "Closing a receiver on id {0} that fell more than {1} bytes behind",
                        new Object[] {id, sendBuffer});
                onBroken.accept(this);
                transport.close(Protocol.CLOSE_SLOW_RECEIVER, "receiver too slow: send buffer of " + sendBuffer
                        + " bytes full");
                return;
            }
            try {
                if (next instanceof String text) {
                    transport.sendText(text, this);
                } else {
                    transport.sendBinary((ByteBuffer) next, this);
                }
            } catch (RuntimeException e) {
                sent(e);
            }
            synchronized (this) {
                draining = false;
                if (inFlightBytes >= 0) {
                    return; // the send completes later and calls sent(), which flushes again
                }
            }
        }
    }

    @Override
    public void sent(Throwable failure) {
        boolean broken = false;
        boolean flushHere;
        synchronized (this) {
            pendingBytes -= Math.max(inFlightBytes, 0);
            inFlightBytes = -1;
            if (failure != null) {
                broken = state != State.CLOSED;
                state = State.CLOSED;
                dropQueue();
            }
            flushHere = failure == null && !draining;
        }
        if (broken) {
            stats.sendFailed();
            LOG.log(Level.FINE, "A send to a client on id {0} failed: {1}", new Object[] {id, failure});
            onBroken.accept(this);
            transport.close(Protocol.CLOSE_INTERNAL_ERROR, "send failed");
        } else if (flushHere) {
            flush();
        }
    }

    /** Notes that the client answered a ping. */
    public void heard() {
        heard = true;
    }

    /** Notes that the client sent a message: it is alive and not idle. */
    public void received() {
        heard = true;
        active = true;
    }

    /** What the heartbeat found. */
    enum Beat { FINE, DEAD, IDLE }

    /**
     * One heartbeat tick: when {@code ping} is set, decides whether the client is dead (nothing heard since the last
     * ping) and pings it again; decides whether it is idle (it sent nothing for {@code idleTicksLimit} ticks).
     */
    Beat beat(boolean ping, int idleTicksLimit) {
        if (ping && pinged && !heard) {
            return Beat.DEAD;
        }
        if (idleTicksLimit > 0) {
            idleTicks = active ? 0 : idleTicks + 1;
            active = false;
            if (idleTicks >= idleTicksLimit) {
                return Beat.IDLE;
            }
        }
        if (ping) {
            heard = false;
            pinged = true;
            transport.ping();
        }
        return Beat.FINE;
    }

    /**
     * Closes this peer's connection once everything already queued for it has been sent: a stopping relay delivers
     * what it accepted. A receiver that does not read keeps its connection until the caller gives up and drops it.
     */
    public void closeWhenFlushed(int code, String reason) {
        synchronized (this) {
            if (closeCode == 0) {
                closeCode = code;
                closeReason = reason;
            }
        }
        flush();
    }

    /** Closes this peer's connection (for example when the server stops); the relay learns of it from the close. */
    public void close(int code, String reason) {
        transport.close(code, reason);
    }

    @Override
    public String toString() {
        return "Peer[" + id + "]";
    }
}
