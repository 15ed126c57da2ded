package io.websocketrelay.relay;

import io.websocketrelay.config.RelaySettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

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

    private static final String SHUTTING_DOWN = "server shutting down";

    private final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private final Set<Peer> peers = ConcurrentHashMap.newKeySet();
    private final RelayStats stats = new RelayStats();
    private final AtomicInteger activePairs = new AtomicInteger();
    private volatile boolean closing;
    private final RelaySettings settings;

    /** For the container's client proxy only. */
    protected Pairings() {
        this.settings = null;
    }

    @Inject
    public Pairings(RelaySettings settings) {
        this.settings = settings;
    }

    /** @return the limits this relay applies */
    public RelaySettings settings() {
        return settings;
    }

    /**
     * Adds a client that connected to {@code id}: it waits in the slot, or it takes the client waiting there.
     *
     * @return the peer to pass to {@link #relay} and {@link #leave}
     */
    public Peer join(String id, Transport transport) {
        Peer peer = new Peer(id, transport, settings.sendBufferBytes(), this::leave, stats);
        peers.add(peer);
        stats.opened();
        if (closing) {
            peer.close(Protocol.CLOSE_GOING_AWAY, SHUTTING_DOWN);
            return peer;
        }
        List<Peer> touched = new ArrayList<>(2);
        withSlot(id, slot -> match(slot, peer, touched));
        flush(touched);
        return peer;
    }

    /** Relays a text message from {@code from} to its peer, or tells the sender that nobody received it. */
    public void relay(Peer from, String text) {
        if (forward(from, text)) {
            stats.relayedText(text.length());
        } else {
            refused(from, Protocol.notReceived(text));
        }
    }

    /** Relays a binary message from {@code from} to its peer, or tells the sender that nobody received it. */
    public void relay(Peer from, ByteBuffer data) {
        int size = data.remaining();
        if (forward(from, data)) {
            stats.relayedBinary(size);
        } else {
            refused(from, Protocol.notReceived(size));
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
        List<Peer> touched = new ArrayList<>(2);
        withSlot(peer.id(), slot -> {
            boolean wasWaiting = peer.isWaiting();
            Link link = peer.retire();
            if (wasWaiting && slot.waiting == peer) {
                slot.waiting = null;
            }
            if (link != null) {
                activePairs.decrementAndGet();
                Peer survivor = link.other(peer);
                if (survivor.unpair(link)) {
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
     * is closed with 1001 (going away).
     */
    public void shutdown() {
        closing = true;
        for (Peer peer : List.copyOf(peers)) {
            peer.close(Protocol.CLOSE_GOING_AWAY, SHUTTING_DOWN);
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

    private void refused(Peer from, String answer) {
        stats.refused(RelayStats.Refusal.ALONE);
        from.control(answer);
        from.flush();
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
