package io.websocketrelay.core;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One room: its members in the order they joined, each with the id the relay gave it. The {@link Route} of every
 * member's {@link Peer}. In a cluster, the members of other nodes are here by name, each mapped to the one proxy of
 * its node (see {@link RoomCluster}).
 *
 * <p>Threading: guarded by its own monitor, which {@link Rooms} holds while it changes the members and while it
 * queues a message on them; so joins, leaves and messages of one room happen in one order that every member sees.
 * {@link #receivers()} and {@link #locals()} are snapshots, read without the lock, for starting the sends after it is
 * released.
 */
final class Room implements Route {

    /** Random bytes per member id: 64 bits, 11 characters of base64url. */
    private static final int ID_BYTES = 8;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Peer[] NONE = new Peer[0];

    private final String id;
    // guarded by this
    private final Map<String, Peer> members = new LinkedHashMap<>();
    private final Map<Peer, String> names = new IdentityHashMap<>();
    private final Map<String, Peer> proxies = new HashMap<>();
    private final Map<Peer, Set<String>> proxied = new IdentityHashMap<>();
    private final Set<String> departed = new HashSet<>();
    private int pending;
    private boolean retired;
    /** The local members and the proxies, as of the last change; written under the lock. */
    private volatile Peer[] receivers = NONE;
    /** The local members alone, as of the last change; written under the lock. */
    private volatile Peer[] locals = NONE;

    Room(String id) {
        this.id = id;
    }

    String id() {
        return id;
    }

    /** @return a random member id: 11 characters of {@code [A-Za-z0-9_-]} (64 random bits) */
    static String randomMemberId() {
        byte[] random = new byte[ID_BYTES];
        RANDOM.nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    // the methods below: caller holds this

    boolean isRetired() {
        return retired;
    }

    /** @return every member, here and on other nodes */
    int size() {
        return members.size();
    }

    /** @return a member id that no current member has */
    String newMemberId() {
        while (true) {
            String candidate = randomMemberId();
            if (!members.containsKey(candidate)) {
                return candidate;
            }
        }
    }

    /** @return the ids of the local members */
    List<String> localIds() {
        return new ArrayList<>(names.values());
    }

    /** @return the current members' ids in the order they are known here */
    List<String> memberIds() {
        return new ArrayList<>(members.keySet());
    }

    boolean has(String memberId) {
        return members.containsKey(memberId);
    }

    void add(String memberId, Peer peer) {
        members.put(memberId, peer);
        names.put(peer, memberId);
        changed();
    }

    /** @return the id of the member removed, or {@code null} when {@code peer} was not a local member */
    String remove(Peer peer) {
        String memberId = names.remove(peer);
        if (memberId != null) {
            members.remove(memberId);
            changed();
        }
        return memberId;
    }

    /** A join of this node is asking the cluster; the room stays until it is answered. */
    void joining() {
        pending++;
    }

    /** A join of this node was answered. */
    void joined() {
        pending--;
        if (pending == 0) {
            departed.clear();
        }
    }

    /** A member of another node left before a pending join here was answered, which may still list it. */
    void departed(String memberId) {
        if (pending > 0) {
            departed.add(memberId);
        }
    }

    boolean hasDeparted(String memberId) {
        return departed.contains(memberId);
    }

    /** @return whether the room has local members or joins on their way (so it cares about other nodes) */
    boolean isHosted() {
        return !names.isEmpty() || pending > 0;
    }

    /** @return the proxy for members on {@code node}, or {@code null} */
    Peer proxy(String node) {
        return proxies.get(node);
    }

    void addProxy(String node, Peer proxy) {
        proxies.put(node, proxy);
        proxied.put(proxy, new HashSet<>());
        changed();
    }

    /** @return the nodes that have a proxy here */
    Set<String> proxyNodes() {
        return new HashSet<>(proxies.keySet());
    }

    /** Adds a member of another node, reached through its node's proxy. */
    void addRemote(String memberId, Peer proxy) {
        members.put(memberId, proxy);
        proxied.get(proxy).add(memberId);
    }

    /**
     * Removes a member of another node.
     *
     * @return the proxy it was reached through, when that proxy has no members left and was removed; else {@code null}
     */
    Peer removeRemote(String memberId) {
        Peer proxy = members.get(memberId);
        if (proxy == null || names.containsKey(proxy)) {
            return null;
        }
        members.remove(memberId);
        Set<String> through = proxied.get(proxy);
        through.remove(memberId);
        if (through.isEmpty()) {
            removeProxy(proxy);
            return proxy;
        }
        return null;
    }

    /** @return whether {@code memberId} is a member of another node */
    boolean isRemote(String memberId) {
        Peer peer = members.get(memberId);
        return peer != null && !names.containsKey(peer);
    }

    /**
     * Removes a proxy and every member reached through it.
     *
     * @return those members' ids
     */
    List<String> removeProxy(Peer proxy) {
        Set<String> through = proxied.remove(proxy);
        if (through == null) {
            return List.of();
        }
        proxies.values().remove(proxy);
        for (String memberId : through) {
            members.remove(memberId);
        }
        changed();
        return new ArrayList<>(through);
    }

    /**
     * Retires the room when it has no local member and no join on its way: it is removed from the directory, and its
     * proxies are dropped by the caller.
     *
     * @return the proxies to drop, or an empty list
     */
    List<Peer> retireIfEmpty() {
        if (retired || !names.isEmpty() || pending > 0) {
            return List.of();
        }
        retired = true;
        List<Peer> dropped = new ArrayList<>(proxied.keySet());
        proxies.clear();
        proxied.clear();
        members.clear();
        changed();
        return dropped;
    }

    /** @return the member with this id (a local member's peer, or the proxy of its node), or {@code null} */
    Peer member(String memberId) {
        return members.get(memberId);
    }

    /** @return the id of local member {@code peer}, or {@code null} when it is not one */
    String nameOf(Peer peer) {
        return names.get(peer);
    }

    private void changed() {
        Peer[] here = names.keySet().toArray(NONE);
        Peer[] all = new Peer[here.length + proxied.size()];
        System.arraycopy(here, 0, all, 0, here.length);
        int i = here.length;
        for (Peer proxy : proxied.keySet()) {
            all[i++] = proxy;
        }
        locals = here;
        receivers = all;
    }

    /** @return the local members and the proxies, as of the last change, for flushing without the lock */
    Peer[] receivers() {
        return receivers;
    }

    /** @return the local members, as of the last change */
    Peer[] locals() {
        return locals;
    }
}
