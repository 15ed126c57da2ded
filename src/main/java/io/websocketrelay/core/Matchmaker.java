package io.websocketrelay.core;

import java.util.concurrent.CompletionStage;

/**
 * The one place that decides who is paired with whom on an id: at most one client waits on an id, and a waiter is
 * taken by exactly one joiner. {@link Pairs} asks it and then links the two peers itself.
 *
 * <p>Calls complete asynchronously, so an implementation that needs a network round trip (a cluster's shared
 * store) never holds a lock or blocks the calling I/O thread while it waits; the in-memory {@link LocalMatchmaker}
 * completes at once, on the calling thread. Completions may run on any thread, and in any order relative to other
 * peers' completions: {@link Pairs} copes with a claim that overtakes a waiter's own answer.
 */
public interface Matchmaker {

    /**
     * Offers {@code peer} on {@code id}: it takes the client waiting there, or becomes the waiter.
     *
     * @return completes with the waiter that {@code peer} took (no longer waiting), or {@code null} when {@code peer}
     *         is now the waiter
     */
    CompletionStage<Peer> claim(String id, Peer peer);

    /** Stops {@code peer} being the waiter on {@code id}, if it is; harmless otherwise. */
    void withdraw(String id, Peer peer);

    /** @return how many ids have a client of this process waiting */
    int waiting();
}
