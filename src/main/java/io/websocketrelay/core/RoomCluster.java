package io.websocketrelay.core;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * What {@link Rooms} asks of a cluster, so that members of one room on different nodes see each other as on one
 * node: the room's members are registered in the cluster, and each other node that has members of a room is one
 * proxy {@link Peer} in the room here. What a local member sends (its messages, and its {@code /member:open} and
 * {@code /member:close}, which are {@link Outbound.Kind events}) is queued on those proxies like on any receiver, so
 * each other node gets it in the order the member's node saw it; what other nodes send arrives through
 * {@link Rooms#remoteJoined}, {@link Rooms#remoteLeft} and {@link Rooms#remoteMessage}.
 */
public interface RoomCluster {

    /** A relay of one node: every room is here. */
    RoomCluster NONE = new RoomCluster() {
        @Override
        public boolean isUp() {
            return false;
        }

        @Override
        public CompletionStage<Registration> register(String room, String member) {
            throw new IllegalStateException("no cluster");
        }

        @Override
        public void unregister(String room, String member, Set<String> told) {
        }

        @Override
        public CompletionStage<List<String>> resync(String room, List<String> members) {
            throw new IllegalStateException("no cluster");
        }

        @Override
        public Peer nodeProxy(String room, String node) {
            throw new IllegalStateException("no cluster");
        }

        @Override
        public void discard(Peer proxy) {
        }

        @Override
        public boolean isLocal(String node) {
            return true;
        }
    };

    /** @return whether rooms span the cluster now; when not, joins are served by this node alone */
    boolean isUp();

    /**
     * Adds a member to the room in the cluster, unless the room is full there.
     *
     * @return completes with the outcome; fails when the cluster could not be asked
     */
    CompletionStage<Registration> register(String room, String member);

    /**
     * Removes a member that left from the room in the cluster, and tells the nodes of the room's other members that
     * were not told through a proxy.
     *
     * @param told the nodes that were told through their proxies
     */
    void unregister(String room, String member, Set<String> told);

    /**
     * Puts this node's current members of a room back in the cluster (after an outage of the cluster).
     *
     * @return completes with the other nodes' members in join order, each followed by its node
     */
    CompletionStage<List<String>> resync(String room, List<String> members);

    /** @return a new proxy for the members of {@code room} on {@code node} */
    Peer nodeProxy(String room, String node);

    /** Forgets a proxy that is no longer in its room; nothing is sent. */
    void discard(Peer proxy);

    /** @return whether {@code node} is this node */
    boolean isLocal(String node);

    /**
     * The outcome of {@link #register}.
     *
     * @param full   the room has its capacity of members
     * @param taken  the member id is taken (choose another)
     * @param others the other members in the order they joined, each followed by its node
     */
    record Registration(boolean full, boolean taken, List<String> others) {
    }
}
