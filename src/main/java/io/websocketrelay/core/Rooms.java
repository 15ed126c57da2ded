package io.websocketrelay.core;

import io.websocketrelay.config.RelaySettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
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
 */
@ApplicationScoped
public class Rooms implements Conversation {

    private static final Logger LOG = Logger.getLogger(Rooms.class.getName());

    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    private final AtomicInteger members = new AtomicInteger();
    private final Registry registry;
    private final RelaySettings settings;
    private final RelayStats stats;

    /** For the container's client proxy only. */
    protected Rooms() {
        this(null, null, null);
    }

    @Inject
    public Rooms(Registry registry, RelaySettings settings, RelayStats stats) {
        this.registry = registry;
        this.settings = settings;
        this.stats = stats;
    }

    /**
     * Adds a client to room {@code roomId}, creating the room if it has no members: it gets
     * {@code /room:joined:<you>:<others>}, the others {@code /member:open:<you>}.
     *
     * @return the member's peer, or {@code null} when it was refused (the relay or the room is full, or the relay
     *         is stopping) and is being closed
     */
    public Peer join(String roomId, Transport transport) {
        Peer peer = new Peer(roomId, transport, settings.sendBufferBytes(), this, stats);
        if (!registry.admit(peer)) {
            return null;
        }
        while (true) {
            Room room = rooms.computeIfAbsent(roomId, Room::new);
            synchronized (room) {
                if (room.isRetired()) {
                    continue; // emptied and removed meanwhile: take the new one
                }
                if (room.size() >= settings.roomCapacity()) {
                    break;
                }
                String memberId = room.newMemberId();
                peer.join(room, Outbound.text(Protocol.ROOM_JOINED + memberId + ":" + room.memberList()));
                Outbound open = Outbound.text(Protocol.MEMBER_OPEN + memberId);
                for (Peer other : room.receivers()) {
                    other.offer(open, room);
                }
                room.add(memberId, peer);
                members.incrementAndGet();
            }
            flushAll(room);
            return peer;
        }
        registry.remove(peer);
        stats.handshakeRefused("room_full");
        LOG.log(Level.INFO, "Refused a client on room {0}: the room is full ({1} members)",
                new Object[] {roomId, settings.roomCapacity()});
        peer.close(Protocol.CLOSE_TRY_AGAIN_LATER, "room full: " + settings.roomCapacity() + " members");
        return null;
    }

    @Override
    public void relay(Peer from, Outbound message) {
        if (!(from.route() instanceof Room room)) {
            return; // it left: nothing more from it is delivered
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
            answer(from, message.isText() ? Protocol.notReceived(message.text()) : Protocol.notReceived(message.size()),
                    RelayStats.Refusal.ALONE);
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

    /** Removes a member that left in any way; the others get {@code /member:close:<mid>}. */
    @Override
    public void leave(Peer peer) {
        if (!registry.remove(peer)) {
            return;
        }
        if (!(peer.retire() instanceof Room room)) {
            return;
        }
        synchronized (room) {
            String memberId = room.remove(peer);
            if (memberId == null) {
                return;
            }
            members.decrementAndGet();
            Outbound close = Outbound.text(Protocol.MEMBER_CLOSE + memberId);
            for (Peer other : room.receivers()) {
                other.offer(close, room);
            }
            if (room.isRetired()) {
                rooms.remove(room.id(), room);
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
}
