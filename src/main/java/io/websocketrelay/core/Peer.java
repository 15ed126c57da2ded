package io.websocketrelay.core;

import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client on the relay: the id it joined, the {@link Route} it is on, and the single ordered path of everything
 * sent to it.
 *
 * <p>Control messages and relayed data for a client go through one queue, with at most one send in flight on its
 * {@link Transport}; so they never interleave or reorder. The bytes queued or in flight are counted: past the send
 * buffer the client is closed with {@link Protocol#CLOSE_SLOW_RECEIVER}, its queue is dropped, and its
 * {@link Conversation} is told, so that whoever it talked to learns of it.
 *
 * <p>Threading: all state is guarded by {@code this}. No method calls the transport or the conversation while holding
 * that lock; {@link Link#connect()} takes the locks of two peers in {@link #serial()} order, and nothing else takes
 * a second lock while holding a peer's. Sending starts only in {@link #flush()}, which the caller runs after
 * releasing any lock of its own.
 *
 * <p>One class on purpose, though longer than most: a client's route and its queue change together under this one
 * lock (a message is queued only while the receiver is on the sender's route; a pairing queues its control messages
 * in the same step as it sets the route), and splitting them would split that lock.
 */
public final class Peer implements Transport.SendCallback {

    private static final Logger LOG = Logger.getLogger(Peer.class.getName());
    private static final AtomicLong SERIALS = new AtomicLong();
    private static final Outbound WAITING = Outbound.text(Protocol.WAITING);
    private static final Outbound CONNECTED = Outbound.text(Protocol.CONNECTED);
    private static final Outbound REMOTE_OPEN = Outbound.text(Protocol.REMOTE_OPEN);
    private static final Outbound REMOTE_CLOSE = Outbound.text(Protocol.REMOTE_CLOSE);

    /** What happened to a message offered to a peer. */
    enum Offer {
        /** Queued; call {@link #flush()}. */
        QUEUED,
        /** The peer is not (or no longer) on the given route, or it is closed; nothing was queued. */
        REFUSED,
        /** The peer's send buffer overflowed; it is being closed; call {@link #flush()} to finish that. */
        OVERFLOW
    }

    /** The outcome of {@link Link#connect()}. */
    enum Pairing { LINKED, WAITER_GONE, JOINER_GONE }

    private enum State { OPEN, OVERFLOWED, CLOSED }

    private final String id;
    private final long serial = SERIALS.incrementAndGet();
    private final Transport transport;
    private final long sendBuffer;
    private final Conversation conversation;
    private final RelayStats stats;
    private final Liveness liveness = new Liveness();
    /** Whether this peer stands for a client of another node: it is told no control messages of this node's. */
    private final boolean proxy;

    // guarded by this
    private final ArrayDeque<Outbound> queue = new ArrayDeque<>(4);
    private State state = State.OPEN;
    private Route route;
    /** Counts the times this peer was matched anew; an answer of the matchmaker for an older round is stale. */
    private int round;
    /** Whether {@link Protocol#WAITING} was queued in this round. */
    private boolean toldWaiting;
    /** Whether the matchmaker's answer for this round is still on its way (a cluster's takes a round trip). */
    private boolean matching;
    /**
     * Answers to what the client sent while its matching was on its way: they follow the outcome of the round
     * ({@code /status:waiting} or the pairing), as they would on a relay that matches at once.
     */
    private ArrayDeque<Outbound> held;
    /** The sender whose reading this peer paused while its queue was more than half full, and since when. */
    private Peer throttled;
    private long throttledAt;
    /** Whether a check of how long the pause has lasted is scheduled ({@link Pauses}). */
    private boolean pauseChecked;
    /**
     * A pause ran out while the queue stayed full: no new pause until the queue is down to a quarter again, so that
     * the send buffer decides about a receiver that stopped reading (pausing again at once would let the sender
     * through one read per pause, and the receiver would take minutes to be closed).
     */
    private boolean pauseSpent;
    private long pendingBytes;
    private long inFlightBytes = -1;
    private boolean draining;
    private int closeCode;          // non-zero: close with it once everything queued is sent
    private String closeReason;

    /**
     * @param id           the id the client joined (a pair id or a room id)
     * @param transport    its connection
     * @param sendBuffer   the most bytes that may be queued or in flight for it
     * @param conversation where its messages go; told once when the relay closes it (overflow, failed send)
     * @param stats        the relay's counters
     */
    public Peer(String id, Transport transport, long sendBuffer, Conversation conversation, RelayStats stats) {
        this(id, transport, sendBuffer, conversation, stats, false);
    }

    private Peer(String id, Transport transport, long sendBuffer, Conversation conversation, RelayStats stats,
            boolean proxy) {
        this.id = id;
        this.transport = transport;
        this.sendBuffer = sendBuffer;
        this.conversation = conversation;
        this.stats = stats;
        this.proxy = proxy;
    }

    /**
     * A peer that stands here for a client connected to another node of the relay: what is queued on it travels to
     * that node, which delivers it to the client. Its own node tells that client its control messages
     * ({@code /status:connected}, {@code /member:open:...}), so a proxy is queued relayed data and answers only.
     *
     * @param transport the channel to the other node, addressed to that client
     */
    public static Peer proxy(String id, Transport transport, long sendBuffer, Conversation conversation,
            RelayStats stats) {
        return new Peer(id, transport, sendBuffer, conversation, stats, true);
    }

    /** @return whether this peer stands for a client of another node (see {@link #proxy}) */
    public boolean isProxy() {
        return proxy;
    }

    /** @return the id this client joined */
    public String id() {
        return id;
    }

    /**
     * @return a number unique to this peer in this process, which orders the taking of two peers' locks and names
     *         a waiter to the other nodes of a cluster
     */
    public long serial() {
        return serial;
    }

    /** Hands a message this client sent to its conversation. */
    public void relay(Outbound message) {
        conversation.relay(this, message);
    }

    /** This client left (its connection closed or failed). */
    public void leave() {
        conversation.leave(this);
    }

    /** @return the route this peer is on, or {@code null} while it is alone */
    synchronized Route route() {
        return route;
    }

    /** @return whether this peer is still served: neither left, failed nor overflowed */
    synchronized boolean isOpen() {
        return state == State.OPEN;
    }

    /** @return whether this peer is alone on its id and was told it waits */
    synchronized boolean isWaiting() {
        return state == State.OPEN && route == null && toldWaiting;
    }

    /** @return the round of matching this peer is in, which begins now: answers wait for its outcome */
    synchronized int startMatching() {
        matching = true;
        return round;
    }

    /** Queues an answer to something this client sent; returns whether the peer took it. */
    synchronized boolean answer(Outbound message) {
        return enqueue(message) == Offer.QUEUED;
    }

    /**
     * Queues a control message of this node's (a proxy takes none: the node of its client tells it its own).
     *
     * @return whether the peer took it (a proxy always does)
     */
    synchronized boolean control(Outbound message) {
        return proxy || enqueue(message) == Offer.QUEUED;
    }

    /**
     * Queues the answer to a message that found nobody on {@code expected}, unless this peer moved to another route
     * since: then the caller tries the message again on the new one, so that it never arrives as an answer after
     * the control messages of the new route.
     *
     * @return whether the answer was queued or the peer is closing; {@code false} means try again
     */
    synchronized boolean answerIfStillOn(Route expected, Outbound answer) {
        if (state != State.OPEN) {
            return true;
        }
        if (route != expected) {
            return false;
        }
        if (matching && route == null) {
            if (held == null) {
                held = new ArrayDeque<>(2);
            }
            held.add(answer); // counted against the send buffer when it is queued
            if (held.size() > MAX_HELD) {
                matching = false;
                releaseHeld();
            }
            return true;
        }
        enqueue(answer);
        return true;
    }

    /** Most answers held while matching; past it they are queued at once. */
    private static final int MAX_HELD = 64;

    // caller holds this
    private void releaseHeld() {
        if (held != null) {
            for (Outbound answer : held) {
                enqueue(answer);
            }
            held = null;
        }
    }

    /**
     * Puts this peer on a route of its own making (a room) and queues the given messages in the same step.
     *
     * @return whether the peer was open and took them
     */
    synchronized boolean join(Route newRoute, Outbound... messages) {
        if (state != State.OPEN) {
            return false;
        }
        route = newRoute;
        for (Outbound message : messages) {
            if (enqueue(message) != Offer.QUEUED) {
                return false;
            }
        }
        return true;
    }

    /**
     * Tells this peer it waits, if the matchmaker's answer for {@code forRound} is still current and no joiner has
     * linked it meanwhile (then {@link #linkAsWaiter} told it already).
     *
     * @return {@code false} when the peer is closed, so the caller withdraws it from the matchmaker
     */
    synchronized boolean await(int forRound) {
        if (state != State.OPEN) {
            return false;
        }
        if (forRound == round && route == null) {
            if (!toldWaiting) {
                toldWaiting = true;
                control(WAITING);
            }
            matching = false;
            releaseHeld();
        }
        return true;
    }

    // caller holds this (Link.connect)
    boolean canLink() {
        return state == State.OPEN && route == null;
    }

    // caller holds this (Link.connect)
    void linkAsWaiter(Link link) {
        route = link;
        if (!toldWaiting) {
            toldWaiting = true;
            control(WAITING);
        }
        matching = false;
        releaseHeld();
        control(REMOTE_OPEN);
        control(CONNECTED);
    }

    // caller holds this (Link.connect)
    void linkAsJoiner(Link link) {
        route = link;
        matching = false;
        releaseHeld(); // what it sent while alone was answered before it was paired
        // /status:connected only, even when it was told it waits (a waiter offered to the cluster again after an
        // outage took another): /remote:open goes to one side of a pair, the one that makes a WebRTC offer
        control(CONNECTED);
    }

    /**
     * Takes this peer off {@code oldLink}, queues {@link Protocol#REMOTE_CLOSE} (after everything relayed on the old
     * link) and starts a new round of matching.
     *
     * @return whether the peer was on that link and is still open, so it should be matched again
     */
    synchronized boolean unpair(Link oldLink) {
        if (route != oldLink) {
            return false;
        }
        route = null;
        round++;
        toldWaiting = false;
        boolean rematch = state == State.OPEN && (proxy || enqueue(REMOTE_CLOSE) == Offer.QUEUED);
        // answers wait from here, not only from the matchmaker's call: a message read on the client's own thread in
        // between would otherwise be answered before the /status:waiting of the new round
        matching |= rematch && !proxy;
        return rematch;
    }

    /**
     * Marks this peer gone: nothing more is queued or sent to it.
     *
     * @return the route it was on, or {@code null}
     */
    Route retire() {
        Route old;
        synchronized (this) {
            old = route;
            route = null;
            state = State.CLOSED;
            held = null;
            dropQueue();
            unthrottle(true);
        }
        return old;
    }

    /**
     * For a peer whose queue is more than half its send buffer: pauses the sender that fills it (where the
     * container can), until the queue is down to a quarter. A receiver that reads more slowly than its sender
     * sends (or a proxy whose way to the other node is slower) holds the sender back through TCP, instead of
     * overflowing. A pause lasts at most {@link Pauses#MAX_PAUSE_NANOS}: a receiver that stops reading is then
     * closed by its send buffer, as without flow control, and the sender's answers to pings do not wait longer.
     * A proxy's pause is bounded by its node's link check instead.
     */
    private void throttle(Peer sender) {
        boolean check;
        synchronized (this) {
            if (throttled != null || pauseSpent || state != State.OPEN || pendingBytes <= sendBuffer / 2
                    || (!proxy && !sender.transport.canPauseReading())) {
                return;
            }
            throttled = sender;
            throttledAt = System.nanoTime();
            check = !proxy && !pauseChecked;
            pauseChecked |= check;
            // under this lock, as the resume in unthrottle: a resume that overtook this pause would leave the
            // sender paused with nobody to resume it. Pausing only changes what the sender's selector waits for
            sender.transport.pauseReading(true);
        }
        if (check) {
            Pauses.checkLater(this, Pauses.MAX_PAUSE_NANOS);
        }
    }

    /** The scheduled check of a local receiver's pause: resumes a sender paused too long, or looks again later. */
    private void checkPause() {
        long again = 0;
        synchronized (this) {
            pauseChecked = false;
            if (throttled != null) {
                long paused = System.nanoTime() - throttledAt;
                if (paused >= Pauses.MAX_PAUSE_NANOS) {
                    unthrottle(true);
                    pauseSpent = true;
                } else {
                    again = Pauses.MAX_PAUSE_NANOS - paused;
                    pauseChecked = true;
                }
            }
        }
        if (again > 0) {
            Pauses.checkLater(this, again);
        }
    }

    /** The one thread that ends the pauses of senders whose receivers stopped reading. */
    private static final class Pauses {
        static final long MAX_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(2);
        private static final ScheduledThreadPoolExecutor TIMER;

        static {
            TIMER = new ScheduledThreadPoolExecutor(1, runnable -> {
                Thread thread = new Thread(runnable, "relay-pauses");
                thread.setDaemon(true);
                return thread;
            });
            TIMER.setKeepAliveTime(10, TimeUnit.SECONDS);
            TIMER.allowCoreThreadTimeOut(true); // no thread while nothing is paused
        }

        static void checkLater(Peer peer, long nanos) {
            try {
                TIMER.schedule(peer::checkPause, nanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                peer.checkPause(); // cannot happen with this executor; resume rather than stay paused
            }
        }
    }

    /**
     * Resumes the sender this proxy paused if it has been paused for longer than {@code nanos}: a pause is bounded
     * (the client's answers to pings wait behind it too); past it, the proxy's send buffer decides, as without flow
     * control.
     */
    public void unthrottleIfPausedLongerThan(long nanos) {
        synchronized (this) {
            if (throttled != null && System.nanoTime() - throttledAt > nanos) {
                unthrottle(true);
                pauseSpent = true;
            }
        }
    }

    /**
     * Resumes the sender this peer paused, if {@code always} or its queue is down to a quarter; the resume happens
     * under this lock, in order with the pause ({@link #throttle}). Caller holds this.
     *
     * @return the sender resumed, or {@code null}
     */
    private Peer unthrottle(boolean always) {
        if (pendingBytes <= sendBuffer / 4) {
            pauseSpent = false; // the receiver reads again
        }
        Peer sender = throttled;
        if (sender != null && (always || pendingBytes <= sendBuffer / 4)) {
            throttled = null;
            sender.transport.pauseReading(false);
            return sender;
        }
        return null;
    }

    /**
     * Offers a message that {@code sender} sent along {@code via}, as {@link #offer(Outbound, Route)}, and pauses the
     * sender if this peer's queue is now more than half its send buffer ({@link #throttle}), in the same hold of
     * this peer's lock.
     */
    synchronized Offer offer(Outbound message, Route via, Peer sender) {
        Offer offer = offer(message, via);
        if (offer == Offer.QUEUED && pendingBytes > sendBuffer / 2) {
            throttle(sender);
        }
        return offer;
    }

    /** Offers a message sent along {@code via}; it is queued only if this peer is still on that route. */
    synchronized Offer offer(Outbound message, Route via) {
        if (route != via) {
            return Offer.REFUSED;
        }
        return enqueue(message);
    }

    // caller holds this
    private Offer enqueue(Outbound message) {
        if (state != State.OPEN) {
            return Offer.REFUSED;
        }
        long pending = pendingBytes + message.size();
        if (pending > sendBuffer) {
            state = State.OVERFLOWED; // the route stays, so that leave() tells the others
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
            Outbound next;
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
                    inFlightBytes = next.size();
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
                drop(Protocol.CLOSE_SLOW_RECEIVER, "receiver too slow: send buffer of " + sendBuffer + " bytes full");
                return;
            }
            try {
                transport.send(next, this);
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
            unthrottle(failure != null);
        }
        if (broken) {
            stats.sendFailed();
            LOG.log(Level.FINE, "A send to a client on id {0} failed: {1}", new Object[] {id, failure});
            drop(Protocol.CLOSE_INTERNAL_ERROR, "send failed");
        } else if (flushHere) {
            flush();
        }
    }

    /** Ends this client for a reason of the relay's: its conversation is told, then its connection is closed. */
    void drop(int code, String reason) {
        conversation.leave(this);
        transport.close(code, reason);
    }

    /** Notes that the client answered a ping. */
    public void heard() {
        liveness.heard();
    }

    /** Notes that the client sent a message: it is alive and not idle. */
    public void received() {
        liveness.received();
    }

    /** One heartbeat tick; see {@link Liveness#beat}. Pings the client when the tick says so. */
    Liveness.Beat beat(boolean ping, int idleTicksLimit) {
        Liveness.Beat beat = liveness.beat(ping, idleTicksLimit);
        if (beat == Liveness.Beat.PING) {
            transport.ping();
            return Liveness.Beat.FINE;
        }
        return beat;
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

    /** Closes this peer's connection (for example when it is refused); its conversation learns of it from the close. */
    public void close(int code, String reason) {
        transport.close(code, reason);
    }

    @Override
    public String toString() {
        return "Peer[" + id + "]";
    }
}
