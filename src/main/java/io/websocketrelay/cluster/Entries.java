package io.websocketrelay.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.websocketrelay.core.Outbound;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * What nodes post to each other. An entry of a node's inbox stream is one batch ({@link Outbox}): {@code n} the
 * sending node, {@code q} its count of entries to this inbox (a gap shows that Redis lost some), {@code o} the offset
 * of the data it posted to this node so far, and {@code b} the frames ({@link Frames}). In a frame, {@code k} says
 * the kind and the other fields depend on it:
 * <ul>
 *   <li>{@code P} (pair): {@code l} link, {@code w} the serial of the waiter taken; the receiver links its waiter;</li>
 *   <li>a text / binary message on a link, byte for byte, with its number on the link (1, 2, ...: a gap ends the
 *       link), has a layout of its own ({@link Frames#data});</li>
 *   <li>{@code C}: link {@code l} ended at the sender (its client left, or the link failed there); with
 *       {@code s}, because the receiving client here fell too far behind: it is closed with 1008;</li>
 *   <li>{@code J} / {@code L}: member {@code m} of room {@code r} joined / left at the sender;</li>
 *   <li>{@code T} / {@code B} with {@code r} instead of {@code l}: a message in room {@code r}, to every member
 *       here, or with {@code t} to that member alone (a direct text);</li>
 *   <li>{@code A}: the receiver has read the sender's data up to offset {@code a} (flow control).</li>
 * </ul>
 */
final class Entries {

    static final String KIND = "k";
    static final String NODE = "n";
    static final String SEQUENCE = "q";
    static final String LINK = "l";
    static final String WAITER = "w";
    static final String PAYLOAD = "p";
    static final String ROOM = "r";
    static final String MEMBER = "m";
    static final String TARGET = "t";
    static final String SLOW = "s";
    static final String OFFSET = "o";
    static final String BATCH = "b";
    static final String READ = "a";

    static final byte PAIR = 'P';
    static final byte TEXT = 'T';
    static final byte BINARY = 'B';
    static final byte CLOSE = 'C';
    static final byte JOINED = 'J';
    static final byte LEFT = 'L';
    static final byte ACK = 'A';

    private Entries() {
    }

    static Map<String, byte[]> pair(String link, long waiter) {
        Map<String, byte[]> fields = fields(PAIR, link);
        fields.put(WAITER, Long.toString(waiter).getBytes(UTF_8));
        return fields;
    }

    /** @return the bytes of a message, without a copy when they are the message's own array */
    static byte[] payload(Outbound message) {
        return bytes(message.bytes());
    }

    static Map<String, byte[]> close(String link) {
        return fields(CLOSE, link);
    }

    /** @return a close of link {@code link} because the receiver behind it was too slow for the sender here */
    static Map<String, byte[]> slow(String link) {
        Map<String, byte[]> fields = fields(CLOSE, link);
        fields.put(SLOW, new byte[] {'1'});
        return fields;
    }

    /** @return the entry of something a member sent or did in a room ({@link Outbound#kind()}) */
    static Map<String, byte[]> room(String room, Outbound message) {
        Map<String, byte[]> fields = new HashMap<>(8);
        fields.put(ROOM, room.getBytes(UTF_8));
        switch (message.kind()) {
            case MEMBER_OPEN, MEMBER_CLOSE -> {
                fields.put(KIND, new byte[] {message.kind() == Outbound.Kind.MEMBER_OPEN ? JOINED : LEFT});
                fields.put(MEMBER, message.member().getBytes(UTF_8));
            }
            default -> {
                fields.put(KIND, new byte[] {message.isText() ? TEXT : BINARY});
                if (message.member() != null) {
                    fields.put(TARGET, message.member().getBytes(UTF_8));
                }
                fields.put(PAYLOAD, bytes(message.bytes()));
            }
        }
        return fields;
    }

    /** @return the entry telling a node that member {@code member} of room {@code room} left */
    static Map<String, byte[]> left(String room, String member) {
        Map<String, byte[]> fields = new HashMap<>(8);
        fields.put(KIND, new byte[] {LEFT});
        fields.put(ROOM, room.getBytes(UTF_8));
        fields.put(MEMBER, member.getBytes(UTF_8));
        return fields;
    }

    /** @return the frame telling a node that its data up to {@code offset} was read */
    static Map<String, byte[]> ack(long offset) {
        Map<String, byte[]> fields = new HashMap<>(4);
        fields.put(KIND, new byte[] {ACK});
        fields.put(READ, Long.toString(offset).getBytes(UTF_8));
        return fields;
    }

    /** @return the message an entry of kind {@code T} or {@code B} carries */
    static Outbound message(byte kind, byte[] payload) {
        return kind == TEXT ? Outbound.utf8Text(payload) : Outbound.binaryOwning(payload);
    }

    static String text(Map<String, byte[]> entry, String field) {
        byte[] value = entry.get(field);
        return value == null ? null : new String(value, UTF_8);
    }

    private static Map<String, byte[]> fields(byte kind, String link) {
        Map<String, byte[]> fields = new HashMap<>(8);
        fields.put(KIND, new byte[] {kind});
        fields.put(LINK, link.getBytes(UTF_8));
        return fields;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer.hasArray() && buffer.arrayOffset() == 0 && buffer.position() == 0
                && buffer.remaining() == buffer.array().length) {
            return buffer.array(); // Outbound's own array: immutable, so it can be handed over as it is
        }
        byte[] copy = new byte[buffer.remaining()];
        buffer.get(copy);
        return copy;
    }
}
