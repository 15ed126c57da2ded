package io.websocketrelay.core;

import java.util.List;

/**
 * The control messages and close codes of the relay's wire protocol, as the original rust-websocket-relay sends
 * them, plus the few this relay adds.
 */
public final class Protocol {

    /** To a client alone on its id, waiting for a peer. */
    public static final String WAITING = "/status:waiting";
    /** To both clients once they are paired. */
    public static final String CONNECTED = "/status:connected";
    /** Only to the client that waited, when a peer joins it; it comes before its {@link #CONNECTED}. */
    public static final String REMOTE_OPEN = "/remote:open";
    /** To a client whose peer left; it is then matched again. */
    public static final String REMOTE_CLOSE = "/remote:close";
    /** Prefix of the answer to a text sent while alone; the text sent follows it. The original's exact words. */
    public static final String NOT_RECEIVED_TEXT = "/error:0001:The message was not received by anyone.:";
    /**
     * Prefix of the answer to a binary message sent while alone; the size follows it, as in
     * {@code /error:0002:The binary message was not received by anyone.:1024 bytes}. Added by this relay: the
     * original echoed binary messages instead.
     */
    public static final String NOT_RECEIVED_BINARY = "/error:0002:The binary message was not received by anyone.:";

    /** Rooms: the first message to a member, {@code /room:joined:<you>:<others>}, others comma-separated. */
    public static final String ROOM_JOINED = "/room:joined:";
    /** Rooms: to every other member when {@code <mid>} joined, {@code /member:open:<mid>}. */
    public static final String MEMBER_OPEN = "/member:open:";
    /** Rooms: to every remaining member when {@code <mid>} left in any way, {@code /member:close:<mid>}. */
    public static final String MEMBER_CLOSE = "/member:close:";
    /** Rooms: a direct text {@code /to:<mid>:<payload>} from a member to one other member. */
    public static final String DIRECT_TO = "/to:";
    /** Rooms: how a direct text arrives, {@code /from:<sender>:<payload>}. */
    public static final String DIRECT_FROM = "/from:";
    /** Rooms: prefix of the answer to a direct text that named no current other member; the text follows. */
    public static final String NO_SUCH_MEMBER = "/error:0003:No such member in the room.:";
    /** Rooms: prefix of the answer to a broadcast text that began with a reserved prefix; the text follows. */
    public static final String RESERVED_PREFIX = "/error:0004:Reserved prefix.:";
    /** Rooms: broadcast texts may not begin with these, so that no member can forge the relay's messages. */
    public static final List<String> RESERVED = List.of("/room:", "/member:", "/from:", "/error:", "/status:",
            "/remote:");

    /** The close code of a normal end (a proxy of another node's client, when its pairing ends). */
    public static final int CLOSE_NORMAL = 1000;
    /** Close code when the server stops (1001, going away). */
    public static final int CLOSE_GOING_AWAY = 1001;
    /** Close code of a receiver that fell behind by more than its send buffer (1008, policy violation). */
    public static final int CLOSE_SLOW_RECEIVER = 1008;
    /** Close code of a client that sent a message over the size limit (1009, message too big). */
    public static final int CLOSE_TOO_BIG = 1009;
    /** Close code of a client refused because the relay or its room is full (1013, try again later). */
    public static final int CLOSE_TRY_AGAIN_LATER = 1013;
    /** Close code of an id that breaks the id rules, or of a client over its rate limit (1008, policy violation). */
    public static final int CLOSE_POLICY = 1008;
    /** Close code when the server could not go on with a connection (1011, internal error). */
    public static final int CLOSE_INTERNAL_ERROR = 1011;

    private Protocol() {
    }

    /** @return the answer to a text that nobody received */
    static String notReceived(String text) {
        return NOT_RECEIVED_TEXT + text;
    }

    /** @return the answer to a binary message of {@code size} bytes that nobody received */
    static String notReceived(int size) {
        return NOT_RECEIVED_BINARY + size + " bytes";
    }

    /**
     * Whether a text takes more than {@code limit} bytes in UTF-8, counting only where the answer is not plain from
     * its length (a UTF-16 unit takes one to three bytes).
     *
     * @param text  the text
     * @param limit the most bytes allowed
     * @return {@code true} when its UTF-8 form is longer than {@code limit}
     */
    public static boolean longerThan(String text, int limit) {
        int length = text.length();
        if ((long) length * 3 <= limit) {
            return false;
        }
        if (length > limit) {
            return true;
        }
        long bytes = 0;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
            if (bytes > limit) {
                return true;
            }
        }
        return false;
    }
}
