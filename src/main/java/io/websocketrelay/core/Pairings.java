package io.websocketrelay.core;

import io.websocketrelay.config.RelaySettings;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Matches the clients that join the same id and relays between the two of each pair.
 *
 * <p>Each id is a matchmaking slot: the first client waits in it, the next one takes that waiter and the slot is
 * empty again; so one id serves any number of separate pairs with at most one client waiting. When a client leaves,
 * its peer is told {@link Protocol#REMOTE_CLOSE} and matched again at once, with the waiter if there is one.
 *
 * <p>Threading: every change of pairing on an id happens under that id's slot lock, so a waiter is taken by exactly
 * one joiner and a leave is seen by both sides at once. Relaying takes no slot lock: the message is queued on the
 * receiver only if the receiver still holds the sender's {@link Link} (see {@link Peer}). Sends start after the slot
 * lock is released.
 */
@ApplicationScoped
public class Pairings {

    private static final Logger LOG = Logger.getLogger(Pairings.class.getName());
    private static final String SHUTTING_DOWN = "server shutting down";

    private final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private final Set<Peer> peers = ConcurrentHashMap.newKeySet();
    private final RelayStats stats = new RelayStats();
    private final AtomicInteger activePairs = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private volatile boolean closing;
    private ScheduledExecutorService heartbeat; // guarded by this
    private long ticks; // heartbeat thread only
    private final RelaySettings settings;

    /** For the container's client proxy only. */
    protected Pairings() {
        this.settings = null;
    }

    @Inject
    public Pairings(RelaySettings settings) {
        this.settings = settings;
    }

    /**
     * @return this bean itself, not the client proxy a caller was injected with: a call through Weld's proxy sets
     *         and clears a thread-local each time, several per cent of a relayed message in a profile; the bean is
     *         application scoped, so the instance stays the same for the application's life. It comes in a holder
     *         because Weld's proxy answers a method that returns {@code this} with the proxy.
     */
    public Direct direct() {
        return new Direct(this);
    }

    /** Holds the bean itself; see {@link #direct()}. */
    public record Direct(Pairings pairings) {
    }

    /** @return the limits this relay applies */
    public RelaySettings settings() {
        return settings;
    }

    /**
     * Adds a client that connected to {@code id}: it waits in the slot, or it takes the client waiting there.
     *
     * @return the peer to pass to {@link #relay} and {@link #leave}, or {@code null} when the client was refused
     *         (the relay is full or stopping) and is being closed
     */
    public Peer join(String id, Transport transport) {
        Peer peer = new Peer(id, transport, settings.sendBufferBytes(), this::leave, stats);
        if (closing) {
            peer.close(Protocol.CLOSE_GOING_AWAY, SHUTTING_DOWN);
            return null;
        }
        if (open.incrementAndGet() > settings.maxConnections()) {
            open.decrementAndGet();
            stats.handshakeRefused("full");
            LOG.log(Level.INFO, "Refused a client on id {0}: {1} connections open", new Object[] {id, settings.maxConnections()});
            peer.close(Protocol.CLOSE_TRY_AGAIN_LATER, "try again later: the relay is full");
            return null;
        }
        peers.add(peer);
        stats.opened();
        startHeartbeat();
        List<Peer> touched = new ArrayList<>(2);
        withSlot(id, slot -> match(slot, peer, touched));
        flush(touched);
        return peer;
    }

    /** Relays a text message from {@code from} to its peer, or tells the sender that nobody received it. */
    public void relay(Peer from, String text) {
        relay(from, text, text.length(), true);
    }

    /** Relays a binary message from {@code from} to its peer, or tells the sender that nobody received it. */
    public void relay(Peer from, ByteBuffer data) {
        relay(from, data, data.remaining(), false);
    }

    private void relay(Peer from, Object message, int size, boolean text) {
        for (int attempt = 0; attempt < 2; attempt++) {
            if (forward(from, message)) {
                if (text) {
                    stats.relayedText(size);
                } else {
                    stats.relayedBinary(size);
                }
                return;
            }
            String answer = text ? Protocol.notReceived((String) message) : Protocol.notReceived(size);
            if (refused(from, answer, attempt == 1)) {
                return;
            }
        }
    }

    /**
     * Removes a client that left, was closed or failed; its peer is told and matched again. Safe to call more than
     * once and from any thread.
     */
    public void leave(Peer peer) {
        if (peer == null || !peers.remove(peer)) {
            return;
        }
        open.decrementAndGet();
        List<Peer> touched = new ArrayList<>(2);
        withSlot(peer.id(), slot -> {
            Link link = peer.retire();
            if (slot.waiting == peer) {
                slot.waiting = null;
            }
            if (link != null) {
                activePairs.decrementAndGet();
                Peer survivor = link.other(peer);
                if (survivor.unpair(link) && !closing) {
                    match(slot, survivor, touched);
                } else {
                    touched.add(survivor);
                }
            }
        });
        flush(touched);
    }

    /**
     * Stops the relay: from now on a client that connects is closed with 1001 at once, and every connected client
     * is closed with 1001 (going away) once what was queued for it has been sent. Nobody is matched again.
     */
    @PreDestroy
    public void shutdown() {
        closing = true;
        synchronized (this) {
            if (heartbeat != null) {
                heartbeat.shutdownNow();
            }
        }
        for (Peer peer : List.copyOf(peers)) {
            peer.closeWhenFlushed(Protocol.CLOSE_GOING_AWAY, SHUTTING_DOWN);
        }
    }

    /** @return whether the relay takes new clients; {@code false} once {@link #shutdown()} began */
    public boolean isAccepting() {
        return !closing;
    }

    /** @return how many pairs are relaying */
    public int pairs() {
        return activePairs.get();
    }

    /** @return how many clients are connected */
    public int connections() {
        return peers.size();
    }

    /** @return how many ids have a client waiting */
    public int waiting() {
        return slots.size();
    }

    /** @return the most bytes that were ever queued for one receiver */
    public long sendQueueHighWaterMark() {
        return stats.sendQueueHighWaterMark();
    }

    /** @return the relay's counters */
    public RelayStats stats() {
        return stats;
    }

    /** Starts the heartbeat with the first client, if pings or the idle timeout are on. */
    private void startHeartbeat() {
        long ping = settings.pingIntervalMillis();
        long idle = settings.idleTimeoutMillis();
        if (ping == 0 && idle == 0) {
            return;
        }
        synchronized (this) {
            if (heartbeat != null || closing) {
                return;
            }
            long tick = ping > 0 && idle > 0 ? Math.min(ping, idle) : Math.max(ping, idle);
            long pingEvery = ping > 0 ? Math.max(1, ping / tick) : 0;
            int idleTicks = idle > 0 ? (int) Math.max(1, (idle + tick - 1) / tick) : 0;
            ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
                Thread thread = new Thread(runnable, "relay-heartbeat");
                thread.setDaemon(true);
                return thread;
            });
            executor.scheduleWithFixedDelay(() -> beat(pingEvery, idleTicks), tick, tick, TimeUnit.MILLISECONDS);
            heartbeat = executor;
        }
    }

    /** One heartbeat tick over every client: closes the dead and the idle with 1001, pings the rest. */
    private void beat(long pingEvery, int idleTicks) {
        try {
            ticks++;
            boolean ping = pingEvery > 0 && ticks % pingEvery == 0;
            for (Peer peer : peers) {
                Peer.Beat beat = peer.beat(ping, idleTicks);
                if (beat != Peer.Beat.FINE) {
                    String reason = beat == Peer.Beat.DEAD
                            ? "no answer to ping within " + settings.pingIntervalMillis() + " ms"
                            : "idle for " + settings.idleTimeoutMillis() + " ms";
                    LOG.log(Level.FINE, "Closing a client on id {0}: {1}", new Object[] {peer.id(), reason});
                    stats.closedBy(beat == Peer.Beat.DEAD ? "heartbeat" : "idle");
                    leave(peer);
                    peer.close(Protocol.CLOSE_GOING_AWAY, reason);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "The heartbeat failed; it goes on at the next tick", e);
        }
    }

    private boolean forward(Peer from, Object message) {
        Link link = from.link();
        if (link == null) {
            return false;
        }
        Peer to = link.other(from);
        Peer.Offer offer = to.relayed(message, link);
        if (offer != Peer.Offer.REFUSED) {
            to.flush();
        }
        // an overflowing receiver is closed and the sender learns of it through /remote:close
        return offer != Peer.Offer.REFUSED;
    }

    /**
     * Answers a message that found no peer, unless {@code from} was paired since (a joiner took it between the
     * look-up and now): then the caller tries once more, so the message goes to the new peer instead of being
     * answered after {@code /status:connected}. On the last attempt the answer is queued whatever happened.
     *
     * @return whether the message was answered
     */
    private boolean refused(Peer from, String answer, boolean last) {
        if (last) {
            from.control(answer);
        } else if (!from.refusedWhileAlone(answer)) {
            awaitPairing(from.id());
            return false;
        }
        stats.refused(RelayStats.Refusal.ALONE);
        from.flush();
        return true;
    }

    /** Waits until a pairing in progress on {@code id} is complete on both sides (it runs under the slot's lock). */
    private void awaitPairing(String id) {
        Slot slot = slots.get(id);
        if (slot != null) {
            synchronized (slot) {
                // nothing to do: taking the lock once is the point, a pairing holds it until both sides are linked
            }
        }
    }

    // caller holds the slot's lock
    private void match(Slot slot, Peer peer, List<Peer> touched) {
        touched.add(peer);
        if (!peer.isOpen()) {
            return; // closing: its leave() follows
        }
        Peer waiter = slot.waiting;
        if (waiter != null && waiter != peer) {
            touched.add(waiter);
            Link link = new Link(waiter, peer);
            if (waiter.pair(link, Protocol.REMOTE_OPEN, Protocol.CONNECTED)) {
                slot.waiting = null;
                peer.pair(link, Protocol.CONNECTED);
                activePairs.incrementAndGet();
                stats.paired();
                return;
            }
            // the waiter is closing and its leave() follows; the joiner takes the slot instead
        }
        slot.waiting = peer.await() ? peer : null;
    }

    private void withSlot(String id, Consumer<Slot> change) {
        while (true) {
            Slot slot = slots.computeIfAbsent(id, key -> new Slot());
            synchronized (slot) {
                if (slot.retired) {
                    continue; // emptied and removed meanwhile: take the new one
                }
                change.accept(slot);
                if (slot.waiting == null) {
                    slot.retired = true;
                    slots.remove(id, slot);
                }
                return;
            }
        }
    }

    private static void flush(List<Peer> touched) {
        for (Peer peer : touched) {
            peer.flush();
        }
    }

    /** The matchmaking slot of one id; exists while a client waits on it. Guarded by its own monitor. */
    private static final class Slot {
        Peer waiting;
        boolean retired;
    }
}
