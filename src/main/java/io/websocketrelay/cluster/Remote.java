package io.websocketrelay.cluster;

import io.websocketrelay.core.Outbound;
import io.websocketrelay.core.Peer;
import io.websocketrelay.core.Protocol;
import io.websocketrelay.core.Transport;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The transport of a proxy {@link Peer}: what is sent to it goes into the inbox stream of the node where its client
 * is, addressed to the cross-node link of the pair, or (for the proxy of a node's members in a room) to the room
 * there. Closing the proxy of a pair tells that node the link ended, so its client hears {@code /remote:close}; a
 * close that came from that node is not echoed back.
 *
 * <p>Threading: any thread; {@link #send} only issues a Redis command and returns.
 */
final class Remote implements Transport {

    private static final Logger LOG = Logger.getLogger(Remote.class.getName());

    private final Cluster cluster;
    private final String node;
    /** The key of this proxy in the cluster's table: the link id of a pair, or a key of the room proxy's own. */
    private final String link;
    /** The room of a room proxy; {@code null} for a pair. */
    private final String room;
    private final byte[] linkBytes;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile Peer peer;
    /** Data messages sent on the link; its peer sends one at a time. */
    private long sent;
    /** Data messages received on the link, on the cluster's thread. */
    private long received;

    /**
     * @param node the node of the client this stands for
     * @param link the cross-node link's id, the same on both nodes
     */
    Remote(Cluster cluster, String node, String link, String room) {
        this.cluster = cluster;
        this.node = node;
        this.link = link;
        this.room = room;
        this.linkBytes = link.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    void attach(Peer proxy) {
        this.peer = proxy;
    }

    Peer peer() {
        return peer;
    }

    String node() {
        return node;
    }

    String link() {
        return link;
    }

    @Override
    public void send(Outbound message, SendCallback done) {
        if (ended.get()) {
            done.sent(new IllegalStateException("the cross-node link " + link + " ended"));
            return;
        }
        if (room == null) {
            cluster.post(node, Frames.data(message.isText() ? Entries.TEXT : Entries.BINARY, linkBytes, ++sent,
                    Entries.payload(message)), message.size(), done, this);
        } else {
            cluster.post(node, Entries.room(room, message), message.size(), done, this);
        }
    }

    @Override
    public void ping() {
        // the node of the client pings it
    }

    /** This side ended the link: the other node is told, once. */
    @Override
    public void close(int code, String reason) {
        if (ended.compareAndSet(false, true)) {
            cluster.forget(this);
            if (room == null) {
                cluster.post(node, code == Protocol.CLOSE_SLOW_RECEIVER ? Entries.slow(link) : Entries.close(link), 0,
                        null, null);
            } else {
                LOG.log(Level.INFO, "The way to the members of room {0} on node {1} failed ({2}); they are gone here",
                        new Object[] {room, node, reason});
            }
        }
    }

    /**
     * Counts a data message that arrived on the link (on the cluster's thread).
     *
     * @return whether it is the next one; when not, messages were lost (a batch Redis dropped) and the caller ends
     *         the link
     */
    boolean received(long number) {
        return number == ++received;
    }

    /** The proxy left its room here: it is forgotten, nothing is sent. */
    void discard() {
        if (ended.compareAndSet(false, true)) {
            cluster.forget(this);
        }
    }

    /** The other node ended the link, or it died: the local client hears {@code /remote:close}; nothing is sent. */
    void endedThere() {
        if (ended.compareAndSet(false, true)) {
            cluster.forget(this);
            Peer proxy = peer;
            if (proxy != null) {
                proxy.leave();
            }
        }
    }

    /** A message that was already counted as sent did not reach Redis: the link cannot keep its promise; end it. */
    void lost(Throwable failure) {
        if (!ended.get()) {
            LOG.log(Level.FINE, "A message on cross-node link {0} was lost ({1}); the link ends",
                    new Object[] {link, failure.toString()});
            Peer proxy = peer;
            close(1011, "lost"); // tells the other node, best effort
            if (proxy != null) {
                proxy.leave();
            }
        }
    }

    @Override
    public String toString() {
        return "Remote[" + link + " at " + node + "]";
    }
}
