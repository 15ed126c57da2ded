package io.websocketrelay.core;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One room: its members in the order they joined, each with the id the relay gave it. The {@link Route} of every
 * member's {@link Peer}.
 *
 * <p>Threading: guarded by its own monitor, which {@link Rooms} holds while it changes the members and while it
 * queues a message on them; so joins, leaves and messages of one room happen in one order that every member sees.
 * {@link #receivers()} is a snapshot, read without the lock, for starting the sends after it is released.
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
    private boolean retired;
    /** The members as of the last change; written under the lock. */
    private volatile Peer[] receivers = NONE;

    Room(String id) {
        this.id = id;
    }

    String id() {
        return id;
    }

    // the methods below: caller holds this

    boolean isRetired() {
        return retired;
    }

    int size() {
        return members.size();
    }

    /** @return a member id that no current member has: 11 characters of {@code [A-Za-z0-9_-]} (64 random bits) */
    String newMemberId() {
        byte[] random = new byte[ID_BYTES];
        while (true) {
            RANDOM.nextBytes(random);
            String candidate = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            if (!members.containsKey(candidate)) {
                return candidate;
            }
        }
    }

    /** @return the current members' ids in the order they joined, comma-separated */
    String memberList() {
        return String.join(",", members.keySet());
    }

    void add(String memberId, Peer peer) {
        members.put(memberId, peer);
        names.put(peer, memberId);
        receivers = members.values().toArray(NONE);
    }

    /** @return the id of the member removed, or {@code null} when {@code peer} was not a member */
    String remove(Peer peer) {
        String memberId = names.remove(peer);
        if (memberId != null) {
            members.remove(memberId);
            receivers = members.values().toArray(NONE);
            if (members.isEmpty()) {
                retired = true;
            }
        }
        return memberId;
    }

    /** @return the member with this id, or {@code null} */
    Peer member(String memberId) {
        return members.get(memberId);
    }

    /** @return the id of {@code peer}, or {@code null} when it is not a member */
    String nameOf(Peer peer) {
        return names.get(peer);
    }

    /** @return the members as of the last change, for flushing without the lock */
    Peer[] receivers() {
        return receivers;
    }
}
