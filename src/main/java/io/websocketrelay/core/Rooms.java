package io.websocketrelay.core;

import io.websocketrelay.config.RelaySettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Multi-user rooms ({@code /room/<id>}): every member hears every other member's messages, and any member can send a
 * text to one other member ({@code /to:<mid>:<text>}, which arrives as {@code /from:<sender>:<text>}).
 *
 * <p>A room exists while it has members. Each change of a room and each message sent in it is queued on the members
 * under the room's lock (no I/O under it; the sends start after it is released), so every member sees one order:
 * its {@code /room:joined} first, {@code /member:open:<m>} before anything from {@code m}, everything {@code m} sent
 * before its {@code /member:close:<m>}, and each sender's messages in the order sent. A broadcast is one
 * {@link Outbound}, encoded once and queued on every receiver; each receiver's send buffer counts it on its own.
 *
 * <p>In a cluster ({@link RoomCluster}), a join is first registered in the cluster (which holds the capacity and
 * tells the members of other nodes); each other node with members is one proxy receiver here, which carries this
 * node's members' messages and events there in order. While the cluster is out, rooms are served by this node alone.
 */
@ApplicationScoped
public class Rooms implements Conversation {

    private static final Logger LOG = Logger.getLogger(Rooms.class.getName());
    /** How often a join draws a new member id when the cluster says the drawn one is taken. */
    private static final int ID_ATTEMPTS = 3;

    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    private final AtomicInteger members = new AtomicInteger();
    private final Registry registry;
    private final RelaySettings settings;
    private final RelayStats stats;
    private final RoomCluster cluster;

    /** For the container's client proxy only. */
    protected Rooms() {
        this(null, null, null, RoomCluster.NONE);
    }

    /** Rooms of one node. */
    public Rooms(Registry registry, RelaySettings settings, RelayStats stats) {
        this(registry, settings, stats, RoomCluster.NONE);
    }

    @Inject
    public Rooms(Registry registry, RelaySettings settings, RelayStats stats, RoomCluster cluster) {
        this.registry = registry;
        this.settings = settings;
        this.stats = stats;
        this.cluster = cluster;
    }

    /**
     * Adds a client to room {@code roomId}, creating the room if it has no members: it gets
     * {@code /room:joined:<you>:<others>}, the others {@code /member:open:<you>}. In a cluster that happens when the
     * cluster has answered; meanwhile the client is alone.
     *
     * @return the member's peer, or {@code null} when it was refused (the relay or the room is full, or the relay
     *         is stopping) and is being closed
     */
    public Peer join(String roomId, Transport transport) {
        Peer peer = new Peer(roomId, transport, settings.sendBufferBytes(), this, stats);
        if (!registry.admit(peer)) {
            return null;
        }
        if (cluster.isUp()) {
            joinCluster(roomId, peer, 1);
            return peer;
        }
        return joinHere(roomId, peer) ? peer : null;
    }

    private boolean joinHere(String roomId, Peer peer) {
        while (true) {
            Room room = rooms.computeIfAbsent(roomId, Room::new);
            synchronized (room) {
                if (room.isRetired()) {
                    continue; // emptied and removed meanwhile: take the new one
                }
                if (room.size() >= settings.roomCapacity()) {
                    break;
                }
                admit(room, room.newMemberId(), peer, room.memberIds());
            }
            flushAll(room);
            return true;
        }
        refuse(peer);
        return false;
    }

    /** Queues the joined message on the new member and its open on the others; caller holds the room's lock. */
    private void admit(Room room, String memberId, Peer peer, List<String> listed) {
        List<Outbound> messages = new ArrayList<>();
        messages.add(Outbound.text(Protocol.ROOM_JOINED + memberId + ":" + String.join(",", listed)));
        Set<String> known = new HashSet<>(listed);
        for (String other : room.memberIds()) {
            if (!known.contains(other)) {
                messages.add(Outbound.memberEvent(Outbound.Kind.MEMBER_OPEN, other)); // joined after, by the cluster
            }
        }
        peer.join(room, messages.toArray(Outbound[]::new));
        Outbound open = Outbound.memberEvent(Outbound.Kind.MEMBER_OPEN, memberId);
        for (Peer other : room.receivers()) {
            other.offer(open, room); // the proxies carry it to the other nodes
        }
        room.add(memberId, peer);
        members.incrementAndGet();
    }

    private void refuse(Peer peer) {
        registry.remove(peer);
        stats.handshakeRefused("room_full");
        LOG.log(Level.INFO, "Refused a client on room {0}: the room is full ({1} members)",
                new Object[] {peer.id(), settings.roomCapacity()});
        peer.close(Protocol.CLOSE_TRY_AGAIN_LATER, "room full: " + settings.roomCapacity() + " members");
    }

    /** Registers the member in the cluster, then admits it with the others the cluster listed. */
    private void joinCluster(String roomId, Peer peer, int attempt) {
        Room room;
        while (true) {
            room = rooms.computeIfAbsent(roomId, Room::new);
            synchronized (room) {
                if (!room.isRetired()) {
                    room.joining();
                    break;
                }
            }
        }
        Room joining = room;
        String memberId = Room.randomMemberId();
        cluster.register(roomId, memberId).whenComplete((registration, failure) -> {
            if (failure != null) {
                LOG.log(Level.FINE, "Registering a member of room {0} in the cluster failed; it joins here alone: {1}",
                        new Object[] {roomId, failure.toString()});
                answered(joining);
                if (peer.isOpen()) {
                    joinHere(roomId, peer);
                }
                return;
            }
            if (registration.full()) {
                answered(joining);
                refuse(peer);
                return;
            }
            if (registration.taken()) {
                answered(joining);
                if (attempt < ID_ATTEMPTS) {
                    joinCluster(roomId, peer, attempt + 1);
                } else {
                    peer.drop(Protocol.CLOSE_INTERNAL_ERROR, "no free member id");
                }
                return;
            }
            admitRegistered(joining, memberId, peer, registration.others());
        });
    }

    private void admitRegistered(Room room, String memberId, Peer peer, List<String> others) {
        boolean admitted;
        synchronized (room) {
            admitted = peer.isOpen();
            if (admitted) {
                List<String> listed = new ArrayList<>();
                for (int i = 0; i + 1 < others.size(); i += 2) {
                    String other = others.get(i);
                    String node = others.get(i + 1);
                    if (room.hasDeparted(other)) {
                        continue; // it left while this join was on its way
                    }
                    if (cluster.isLocal(node)) {
                        if (room.has(other)) {
                            listed.add(other);
                        }
                        continue; // a join of this node still on its way: its own open follows
                    }
                    if (!room.has(other)) {
                        addRemote(room, other, node);
                    }
                    listed.add(other);
                }
                admit(room, memberId, peer, listed);
            }
            room.joined();
        }
        if (!admitted) {
            cluster.unregister(room.id(), memberId, Set.of()); // it left while it was registered
            retire(room);
            return;
        }
        flushAll(room);
    }

    /** Adds a member of another node and tells the local members; caller holds the room's lock. */
    private void addRemote(Room room, String memberId, String node) {
        Peer proxy = room.proxy(node);
        if (proxy == null) {
            proxy = cluster.nodeProxy(room.id(), node);
            proxy.join(room);
            room.addProxy(node, proxy);
        }
        room.addRemote(memberId, proxy);
        Outbound open = Outbound.memberEvent(Outbound.Kind.MEMBER_OPEN, memberId);
        for (Peer local : room.locals()) {
            local.offer(open, room);
        }
    }

    private void answered(Room room) {
        synchronized (room) {
            room.joined();
        }
        retire(room);
    }

    /** Removes a retired room from the directory and drops its proxies. */
    private void retire(Room room) {
        List<Peer> dropped;
        synchronized (room) {
            dropped = room.retireIfEmpty();
            if (room.isRetired()) {
                rooms.remove(room.id(), room);
            }
        }
        for (Peer proxy : dropped) {
            cluster.discard(proxy);
        }
    }

    @Override
    public void relay(Peer from, Outbound message) {
        if (!(from.route() instanceof Room room)) {
            if (from.isOpen() && !from.isProxy()) {
                answer(from, notReceived(message), RelayStats.Refusal.ALONE); // its join is still on its way
            }
            return;
        }
        if (message.isText()) {
            String text = message.text();
            if (text.startsWith(Protocol.DIRECT_TO)) {
                direct(from, room, text);
                return;
            }
            for (String reserved : Protocol.RESERVED) {
                if (text.startsWith(reserved)) {
                    answer(from, Protocol.RESERVED_PREFIX + text, RelayStats.Refusal.RESERVED);
                    return;
                }
            }
        }
        int delivered = 0;
        synchronized (room) {
            if (room.nameOf(from) == null) {
                return;
            }
            if (room.size() > 1) {
                for (Peer other : room.receivers()) {
                    if (other != from && other.offer(message, room) == Peer.Offer.QUEUED) {
                        delivered++;
                    }
                }
            } else {
                delivered = -1;
            }
        }
        if (delivered < 0) {
            answer(from, notReceived(message), RelayStats.Refusal.ALONE);
            return;
        }
        stats.relayed(message);
        stats.delivered(delivered);
        for (Peer other : room.receivers()) {
            if (other != from) {
                other.flush();
            }
        }
    }

    private static String notReceived(Outbound message) {
        return message.isText() ? Protocol.notReceived(message.text()) : Protocol.notReceived(message.size());
    }

    /** {@code /to:<mid>:<payload>}: to member {@code mid} alone, as {@code /from:<sender>:<payload>}. */
    private void direct(Peer from, Room room, String text) {
        int colon = text.indexOf(':', Protocol.DIRECT_TO.length());
        String memberId = colon < 0 ? null : text.substring(Protocol.DIRECT_TO.length(), colon);
        Peer target = null;
        synchronized (room) {
            String sender = room.nameOf(from);
            if (sender == null) {
                return;
            }
            Peer member = memberId == null ? null : room.member(memberId);
            if (member != null && member != from) {
                Outbound direct = Outbound.text(Protocol.DIRECT_FROM + sender + text.substring(colon));
                if (member.isProxy()) {
                    direct = direct.to(memberId);
                }
                if (member.offer(direct, room) != Peer.Offer.REFUSED) {
                    target = member;
                    stats.relayed(direct);
                    stats.delivered(1);
                }
            }
        }
        if (target == null) {
            answer(from, Protocol.NO_SUCH_MEMBER + text, RelayStats.Refusal.NO_SUCH_MEMBER);
        } else {
            target.flush();
        }
    }

    private void answer(Peer to, String answer, RelayStats.Refusal why) {
        stats.refused(why);
        to.answer(Outbound.text(answer));
        to.flush();
    }

    /**
     * Removes a member that left in any way; the others get {@code /member:close:<mid>}. A proxy that leaves (its
     * node died, or the way there failed) takes all the members of its node with it.
     */
    /** The bean instance itself, also when called through the container's client proxy. */
    @Override
    public Conversation self() {
        return this;
    }

    @Override
    public void leave(Peer peer) {
        if (peer.isProxy()) {
            leaveProxy(peer);
            return;
        }
        if (!registry.remove(peer)) {
            return;
        }
        if (!(peer.retire() instanceof Room room)) {
            return;
        }
        Set<String> told;
        synchronized (room) {
            String memberId = room.remove(peer);
            if (memberId == null) {
                return;
            }
            members.decrementAndGet();
            Outbound close = Outbound.memberEvent(Outbound.Kind.MEMBER_CLOSE, memberId);
            for (Peer other : room.receivers()) {
                other.offer(close, room); // the proxies carry it to the other nodes, after its messages
            }
            told = room.proxyNodes();
            if (cluster.isUp() || !told.isEmpty()) {
                cluster.unregister(room.id(), memberId, told);
            }
        }
        flushAll(room);
        retire(room);
    }

    private void leaveProxy(Peer proxy) {
        if (!(proxy.retire() instanceof Room room)) {
            return;
        }
        synchronized (room) {
            for (String memberId : room.removeProxy(proxy)) {
                Outbound close = Outbound.memberEvent(Outbound.Kind.MEMBER_CLOSE, memberId);
                for (Peer local : room.locals()) {
                    local.offer(close, room);
                }
            }
        }
        cluster.discard(proxy);
        flushAll(room);
    }

    // ---- what the other nodes of a cluster send

    /** A member of room {@code roomId} joined on {@code node}; the local members hear {@code /member:open}. */
    public void remoteJoined(String roomId, String memberId, String node) {
        Room room = rooms.get(roomId);
        if (room == null) {
            return; // no member here: this node does not care
        }
        synchronized (room) {
            if (room.isRetired() || !room.isHosted() || room.has(memberId) || room.hasDeparted(memberId)) {
                return;
            }
            addRemote(room, memberId, node);
        }
        flushLocals(room);
    }

    /** A member of room {@code roomId} on another node left; the local members hear {@code /member:close}. */
    public void remoteLeft(String roomId, String memberId) {
        Room room = rooms.get(roomId);
        if (room == null) {
            return;
        }
        Peer emptied;
        synchronized (room) {
            if (!room.isRemote(memberId)) {
                room.departed(memberId); // a join on its way may list it: it must not
                return;
            }
            emptied = room.removeRemote(memberId);
            Outbound close = Outbound.memberEvent(Outbound.Kind.MEMBER_CLOSE, memberId);
            for (Peer local : room.locals()) {
                local.offer(close, room);
            }
        }
        if (emptied != null) {
            emptied.retire();
            cluster.discard(emptied);
        }
        flushLocals(room);
    }

    /**
     * A message from a member of another node: to every local member of the room, or to member {@code target}
     * alone (a direct text, already in its {@code /from:} form).
     */
    public void remoteMessage(String roomId, String target, Outbound message) {
        Room room = rooms.get(roomId);
        if (room == null) {
            return;
        }
        int delivered = 0;
        Peer one = null;
        synchronized (room) {
            if (target != null) {
                Peer member = room.member(target);
                if (member != null && !member.isProxy() && member.offer(message, room) == Peer.Offer.QUEUED) {
                    one = member;
                    delivered = 1;
                }
            } else {
                for (Peer local : room.locals()) {
                    if (local.offer(message, room) == Peer.Offer.QUEUED) {
                        delivered++;
                    }
                }
            }
        }
        stats.delivered(delivered);
        if (one != null) {
            one.flush();
        } else if (target == null) {
            flushLocals(room);
        }
    }

    /**
     * The cluster is back after an outage: each room's local members are put back in it, the members of other
     * nodes it lists and this node did not know are announced here, and every node newly in a room hears of this
     * node's members. Members who joined here during the outage may make a room larger than its capacity.
     */
    public void resync() {
        for (Room room : List.copyOf(rooms.values())) {
            List<String> mine;
            synchronized (room) {
                mine = room.isRetired() ? List.of() : room.localIds();
            }
            if (mine.isEmpty()) {
                continue;
            }
            cluster.resync(room.id(), mine).whenComplete((others, failure) -> {
                if (failure == null) {
                    resynced(room, others);
                }
            });
        }
    }

    private void resynced(Room room, List<String> others) {
        synchronized (room) {
            if (room.isRetired()) {
                return;
            }
            Set<String> before = room.proxyNodes();
            for (int i = 0; i + 1 < others.size(); i += 2) {
                if (!room.has(others.get(i)) && !cluster.isLocal(others.get(i + 1))) {
                    addRemote(room, others.get(i), others.get(i + 1));
                }
            }
            for (String node : room.proxyNodes()) {
                if (!before.contains(node)) {
                    Peer proxy = room.proxy(node);
                    for (String local : room.localIds()) {
                        proxy.offer(Outbound.memberEvent(Outbound.Kind.MEMBER_OPEN, local), room);
                    }
                }
            }
        }
        flushAll(room);
    }

    /** @return how many rooms have members */
    public int rooms() {
        return rooms.size();
    }

    /** @return how many clients are members of a room */
    public int members() {
        return members.get();
    }

    private static void flushAll(Room room) {
        for (Peer member : room.receivers()) {
            member.flush();
        }
    }

    private static void flushLocals(Room room) {
        for (Peer member : room.locals()) {
            member.flush();
        }
    }
}
