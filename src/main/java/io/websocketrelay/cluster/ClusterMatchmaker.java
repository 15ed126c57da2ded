package io.websocketrelay.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.lettuce.core.ScriptOutputType;
import io.websocketrelay.core.Matchmaker;
import io.websocketrelay.core.Peer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Matching across the nodes of a cluster: the waiter on an id is one Redis key, {@code <node>:<serial>}, taken or
 * set by one script ({@link Scripts#CLAIM}), so the whole cluster has at most one waiter per id and each is taken by
 * one joiner. A waiter of this node is taken as it is (the pair relays without Redis); one of another node becomes a
 * proxy linked with the joiner, and that node is told to link its waiter ({@link Cluster#takenByRemote}).
 *
 * <p>While the node is degraded (Redis out), matching is in memory among this node's clients; when Redis is back,
 * each waiter is offered to the cluster again, so two clients that waited on one id on two nodes meet.
 *
 * <p>Threading: any thread; answers complete on Lettuce's threads.
 */
final class ClusterMatchmaker implements Matchmaker {

    private static final Logger LOG = Logger.getLogger(ClusterMatchmaker.class.getName());

    private final Cluster cluster;
    /** This node's waiters, by id: the same as in Redis while it is up, and the only ones while it is degraded. */
    private final Map<String, Peer> waiters = new ConcurrentHashMap<>();
    /** The clients another node may claim: those waiting, and those whose claim is on its way. */
    private final Map<Long, Peer> claimable = new ConcurrentHashMap<>();

    ClusterMatchmaker(Cluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public CompletionStage<Peer> claim(String id, Peer peer) {
        if (!cluster.isUp()) {
            return CompletableFuture.completedFuture(claimHere(id, peer));
        }
        claimable.put(peer.serial(), peer);
        String self = cluster.nodeId() + ":" + peer.serial();
        CompletionStage<byte[]> answer = cluster.redis().eval(Scripts.CLAIM, ScriptOutputType.VALUE,
                new String[] {cluster.key("wait", id), cluster.key("waiters", cluster.nodeId())},
                self, cluster.prefix(), id);
        return answer.handle((taken, failure) -> {
            if (failure != null) {
                cluster.failed("matching", failure); // on the node's thread (Redis#off)
                return CompletableFuture.completedFuture(claimHere(id, peer));
            }
            if (taken == null) {
                waiters.put(id, peer);
                return CompletableFuture.<Peer>completedFuture(null);
            }
            claimable.remove(peer.serial(), peer);
            waiters.remove(id, peer); // a waiter offered again that took another
            String waiter = new String(taken, UTF_8);
            int colon = waiter.indexOf(':');
            String node = waiter.substring(0, colon);
            long serial = Long.parseLong(waiter.substring(colon + 1));
            if (node.equals(cluster.nodeId())) {
                Peer local = takenHere(serial);
                if (local == null) {
                    return claim(id, peer); // it left and its withdrawal is on the way: the key is free now
                }
                return CompletableFuture.completedFuture(local);
            }
            return CompletableFuture.completedFuture(cluster.takeRemoteWaiter(id, node, serial));
        }).thenCompose(stage -> stage);
    }

    /** In-memory matching among this node's clients, while Redis is out. */
    private Peer claimHere(String id, Peer peer) {
        Peer[] taken = new Peer[1];
        waiters.compute(id, (key, waiter) -> {
            if (waiter == null || waiter == peer) {
                return peer;
            }
            taken[0] = waiter;
            return null;
        });
        if (taken[0] == null) {
            claimable.put(peer.serial(), peer);
        } else {
            claimable.remove(taken[0].serial(), taken[0]);
        }
        return taken[0];
    }

    private Peer takenHere(long serial) {
        Peer waiter = claimable.remove(serial);
        if (waiter != null) {
            waiters.remove(waiter.id(), waiter);
        }
        return waiter;
    }

    /** Another node took this node's waiter with that serial; @return it, or {@code null} when it is gone. */
    Peer takenByRemote(long serial) {
        return takenHere(serial);
    }

    @Override
    public void withdraw(String id, Peer peer) {
        claimable.remove(peer.serial(), peer);
        if (waiters.remove(id, peer) && cluster.isUp()) {
            cluster.redis().eval(Scripts.WITHDRAW, ScriptOutputType.INTEGER,
                    new String[] {cluster.key("wait", id), cluster.key("waiters", cluster.nodeId())},
                    cluster.nodeId() + ":" + peer.serial(), id)
                    .whenComplete((ok, failure) -> {
                        if (failure != null) {
                            LOG.log(Level.FINE, "Withdrawing a waiter on id {0} failed: {1}",
                                    new Object[] {id, Cluster.describe(failure)});
                        }
                    });
        }
    }

    @Override
    public int waiting() {
        return waiters.size();
    }

    /** Redis is back: every waiter of this node is offered again, as if it had just joined. */
    void offerWaitersAgain() {
        List<Peer> again = List.copyOf(waiters.values());
        for (Peer waiter : again) {
            cluster.pairs().rematch(waiter);
        }
        if (!again.isEmpty()) {
            LOG.log(Level.INFO, "Cluster: {0} waiters offered to the cluster again", again.size());
        }
    }
}
