package io.websocketrelay.core;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The pairing of two peers: their {@link Route}. A message is relayed only while the receiver still holds the same
 * link, so nothing sent to a peer that has since left reaches the one matched after it.
 */
final class Link implements Route {

    private final Peer waiter;
    private final Peer joiner;
    private final AtomicBoolean ended = new AtomicBoolean();

    Link(Peer waiter, Peer joiner) {
        this.waiter = waiter;
        this.joiner = joiner;
    }

    /** @return the other side of this link from {@code peer} */
    Peer other(Peer peer) {
        return peer == waiter ? joiner : waiter;
    }

    /** @return {@code true} for the one caller that ends this link, when both sides leave at once */
    boolean end() {
        return ended.compareAndSet(false, true);
    }

    /**
     * Puts both peers on this link in one step, under both their locks: neither can relay on it before the other
     * holds it, and each gets its control messages before anything relayed. The waiter is told
     * {@link Protocol#WAITING} first if the claim overtook that message, and either side that was told it gets
     * {@link Protocol#REMOTE_OPEN}. The link is kept even if a message overflows a send buffer, so that the leave
     * which follows tells the other side.
     *
     * @return {@link Peer.Pairing#LINKED}, or which side could not take the link (it is closing)
     */
    Peer.Pairing connect() {
        Peer first = waiter.serial() < joiner.serial() ? waiter : joiner;
        Peer second = first == waiter ? joiner : waiter;
        synchronized (first) {
            synchronized (second) {
                if (!waiter.canLink()) {
                    return Peer.Pairing.WAITER_GONE;
                }
                if (!joiner.canLink()) {
                    return Peer.Pairing.JOINER_GONE;
                }
                waiter.linkAsWaiter(this);
                joiner.linkAsJoiner(this);
                return Peer.Pairing.LINKED;
            }
        }
    }
}
