package io.websocketrelay.core;

import io.websocketrelay.config.RelaySettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The pair protocol of the original relay: the clients that join the same id are paired two by two, and each
 * relays to the other.
 *
 * <p>Each id is a matchmaking slot: the first client waits in it, the next one takes that waiter and the slot is
 * empty again; so one id serves any number of separate pairs with at most one client waiting. The
 * {@link Matchmaker} decides who takes whom; this class then puts both on one {@link Link} in a single step
 * ({@link Link#connect()}). When a client leaves, its peer is told {@link Protocol#REMOTE_CLOSE} and matched again at
 * once, with the waiter if there is one.
 *
 * <p>Threading: no lock of this class's own. A matchmaker's answer may arrive on another thread and after other
 * events of the same peer; the peer's round ({@link Peer#startMatching()}) and its own lock sort that out. Relaying reads
 * the sender's link and queues the message on the receiver only if the receiver still holds that link.
 */
@ApplicationScoped
public class Pairs implements Conversation {

    private static final Logger LOG = Logger.getLogger(Pairs.class.getName());
    /** How often a message is tried again when the sender's route changed under it; then it is answered. */
    private static final int ATTEMPTS = 4;

    private final Registry registry;
    private final Matchmaker matchmaker;
    private final RelaySettings settings;
    private final RelayStats stats;
    private final AtomicInteger activePairs = new AtomicInteger();

    /** For the container's client proxy only. */
    protected Pairs() {
        this(null, null, null, null);
    }

    @Inject
    public Pairs(Registry registry, Matchmaker matchmaker, RelaySettings settings, RelayStats stats) {
        this.registry = registry;
        this.matchmaker = matchmaker;
        this.settings = settings;
        this.stats = stats;
    }

    /**
     * Adds a client that connected to {@code id}: it waits in the slot, or it takes the client waiting there.
     *
     * @return the peer, whose {@link Peer#relay} and {@link Peer#leave} the connection calls from now on, or
     *         {@code null} when the client was refused (the relay is full or stopping) and is being closed
     */
    public Peer join(String id, Transport transport) {
        Peer peer = new Peer(id, transport, settings.sendBufferBytes(), this, stats);
        if (!registry.admit(peer)) {
            return null;
        }
        match(peer);
        return peer;
    }

    /** Relays a message from {@code from} to its peer, or tells the sender that nobody received it. */
    @Override
    public void relay(Peer from, Outbound message) {
        for (int attempt = 1; ; attempt++) {
            Route route = from.route();
            if (route instanceof Link link) {
                Peer to = link.other(from);
                // pauses the sender while the receiver's queue is more than half full
                Peer.Offer offer = to.offer(message, link, from);
                if (offer != Peer.Offer.REFUSED) {
                    to.flush();
                    stats.relayed(message); // an overflowing receiver is closed; the sender hears /remote:close
                    return;
                }
                if (!to.isOpen() && link.end()) {
                    // the receiver is gone and its leave, on another thread, has not ended the link yet: end it
                    // here, so that the sender hears /remote:close before the answer to this message
                    linkEnded(link, to);
                    continue;
                }
            }
            if (from.isProxy()) {
                // from another node's client after its link ended here: dropped like a message in flight to a
                // receiver that left; that node tells its client /remote:close
                stats.refused(RelayStats.Refusal.ALONE);
                return;
            }
            // nobody took it on the route the sender is on: answer, unless the sender moved meanwhile
            Outbound answer = Outbound.text(message.isText() ? Protocol.notReceived(message.text())
                    : Protocol.notReceived(message.size()));
            if (attempt < ATTEMPTS && !from.answerIfStillOn(route, answer)) {
                continue;
            }
            if (attempt == ATTEMPTS) {
                from.answer(answer); // the route keeps changing: answer where it stands now
            }
            stats.refused(RelayStats.Refusal.ALONE);
            from.flush();
            return;
        }
    }

    /**
     * Removes a client that left, was closed or failed; its peer is told and matched again. Safe to call more than
     * once and from any thread.
     */
    /** The bean instance itself, also when called through the container's client proxy. */
    @Override
    public Conversation self() {
        return this;
    }

    @Override
    public void leave(Peer peer) {
        if (!peer.isProxy() && !registry.remove(peer)) {
            return;
        }
        Route route = peer.retire();
        if (!peer.isProxy()) {
            matchmaker.withdraw(peer.id(), peer);
        }
        if (route instanceof Link link && link.end()) {
            linkEnded(link, peer);
        }
    }

    /** Tells the other side of a link that {@code gone} left (the caller ended the link), and matches it again. */
    private void linkEnded(Link link, Peer gone) {
        activePairs.decrementAndGet();
        Peer survivor = link.other(gone);
        if (survivor.isProxy()) {
            // the client on the other node hears /remote:close from its node once what was relayed arrived
            survivor.unpair(link);
            survivor.closeWhenFlushed(Protocol.CLOSE_NORMAL, "peer left");
            return;
        }
        if (survivor.unpair(link) && registry.isAccepting()) {
            match(survivor);
        }
        survivor.flush();
    }

    /**
     * Links a client of this node that waits on its id with a client of another node that took it there (the
     * cluster's matchmaker decided so): the waiter gets {@code /status:remote-open} and {@code /status:connected}.
     *
     * @param waiter the waiter the other node claimed
     * @param proxy  the peer standing for the joiner (see {@link Peer#proxy})
     * @return whether they are linked; {@code false} when the waiter left or was paired meanwhile
     */
    public boolean linkRemote(Peer waiter, Peer proxy) {
        Link link = new Link(waiter, proxy);
        if (link.connect() != Peer.Pairing.LINKED) {
            return false;
        }
        activePairs.incrementAndGet();
        stats.paired();
        waiter.flush();
        return true;
    }

    /**
     * The other node found the way to its client slower than what this node's client sent on their link (the
     * proxy there overflowed): this node's client is the slow receiver, and is closed with 1008 as if its own
     * send buffer had filled.
     *
     * @param proxy the proxy of the other node's client
     */
    public void dropSlowPartner(Peer proxy) {
        if (proxy.route() instanceof Link link) {
            Peer partner = link.other(proxy);
            stats.slowReceiverDropped();
            LOG.log(Level.INFO, "Closing a receiver on id {0} that fell behind a client of another node",
                    partner.id());
            partner.drop(Protocol.CLOSE_SLOW_RECEIVER, "receiver too slow: send buffer of " + settings.sendBufferBytes()
                    + " bytes full");
        }
    }

    /**
     * Offers a waiting client to the matchmaker again, as when it joined: a cluster does so for its waiters when
     * Redis is back after an outage, so that waiters of one id on two nodes meet.
     */
    public void rematch(Peer peer) {
        if (peer.isWaiting() && registry.isAccepting()) {
            match(peer);
        }
    }

    /** @return how many pairs are relaying */
    public int pairs() {
        return activePairs.get();
    }

    /** @return how many ids have a client waiting */
    public int waiting() {
        return matchmaker.waiting();
    }

    /** Offers {@code peer} to the matchmaker and acts on its answer, whenever that comes. */
    private void match(Peer peer) {
        int round = peer.startMatching();
        matchmaker.claim(peer.id(), peer).whenComplete((waiter, failure) -> {
            if (failure != null) {
                LOG.log(Level.WARNING, "Matching a client on id " + peer.id() + " failed; it is closed", failure);
                peer.drop(Protocol.CLOSE_INTERNAL_ERROR, "matching failed");
            } else if (waiter == null) {
                if (!peer.await(round)) {
                    matchmaker.withdraw(peer.id(), peer); // it closed meanwhile: no dead waiter stays
                }
                peer.flush();
            } else {
                link(waiter, peer);
            }
        });
    }

    private void link(Peer waiter, Peer joiner) {
        Link link = new Link(waiter, joiner);
        switch (link.connect()) {
            case LINKED -> {
                activePairs.incrementAndGet();
                stats.paired();
                waiter.flush();
                joiner.flush();
            }
            case WAITER_GONE -> match(joiner); // the waiter is closing and its leave() follows; try the next
            case JOINER_GONE -> {
                if (waiter.isProxy()) {
                    waiter.closeWhenFlushed(Protocol.CLOSE_NORMAL, "peer left"); // its node matches it again
                } else {
                    match(waiter); // the waiter goes back to waiting, already told so
                }
            }
            default -> throw new IllegalStateException();
        }
    }
}
