package io.websocketrelay.core;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Matching in one process: a map from id to its waiter. A claim is one atomic step of the map, so it completes at
 * once and holds no lock afterwards; the map's entry exists only while a client waits. The matchmaker of a relay of
 * one node (the cluster's producer makes it the bean when no Redis is set), and a cluster node's own while Redis is
 * unreachable.
 */
public class LocalMatchmaker implements Matchmaker {

    private final Map<String, Peer> waiters = new ConcurrentHashMap<>();

    @Override
    public CompletionStage<Peer> claim(String id, Peer peer) {
        Peer[] taken = new Peer[1];
        waiters.compute(id, (key, waiter) -> {
            if (waiter == null || waiter == peer) {
                return peer;
            }
            taken[0] = waiter;
            return null;
        });
        return CompletableFuture.completedFuture(taken[0]);
    }

    @Override
    public void withdraw(String id, Peer peer) {
        waiters.remove(id, peer);
    }

    @Override
    public int waiting() {
        return waiters.size();
    }
}
