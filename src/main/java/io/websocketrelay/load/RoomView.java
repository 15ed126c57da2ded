package io.websocketrelay.load;

import io.websocketrelay.core.Protocol;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A member's view of its room, from the relay's control messages: its own id and the other members' ids, from
 * {@code /room:joined:<you>:<others>} and then each {@code /member:open:<mid>} and {@code /member:close:<mid>}.
 * Complete when it knows exactly the expected number of others. Anything else (a control message before
 * {@code /room:joined}, a second one, a malformed or unknown id, more members than expected, any other control
 * text) is {@link Event#INVALID}. Not thread-safe: a connection's messages come one at a time.
 */
final class RoomView {

    /** What one control message was. */
    enum Event {
        JOINED,
        OPENED,
        CLOSED,
        INVALID
    }

    /** Length of a member id the relay gives: 64 random bits in base64url. */
    static final int MEMBER_ID_LENGTH = 11;

    private final int others;
    private final Set<String> members = new LinkedHashSet<>();
    private String self;

    /** @param others how many other members the room should have */
    RoomView(int others) {
        this.others = others;
    }

    /** Takes one control text (one starting with {@code /}) and says what it was. */
    Event accept(String control) {
        if (control.startsWith(Protocol.ROOM_JOINED)) {
            return self == null ? joined(control.substring(Protocol.ROOM_JOINED.length())) : Event.INVALID;
        }
        if (self == null) {
            return Event.INVALID;
        }
        if (control.startsWith(Protocol.MEMBER_OPEN)) {
            String id = control.substring(Protocol.MEMBER_OPEN.length());
            if (!isMemberId(id) || id.equals(self) || members.size() >= others || !members.add(id)) {
                return Event.INVALID;
            }
            return Event.OPENED;
        }
        if (control.startsWith(Protocol.MEMBER_CLOSE)) {
            return members.remove(control.substring(Protocol.MEMBER_CLOSE.length())) ? Event.CLOSED : Event.INVALID;
        }
        return Event.INVALID;
    }

    private Event joined(String rest) {
        int colon = rest.indexOf(':');
        if (colon < 0 || !isMemberId(rest.substring(0, colon))) {
            return Event.INVALID;
        }
        String you = rest.substring(0, colon);
        String list = rest.substring(colon + 1);
        Set<String> ids = new LinkedHashSet<>();
        if (!list.isEmpty()) {
            for (String id : list.split(",", -1)) {
                if (!isMemberId(id) || id.equals(you) || !ids.add(id)) {
                    return Event.INVALID;
                }
            }
        }
        if (ids.size() > others) {
            return Event.INVALID;
        }
        self = you;
        members.addAll(ids);
        return Event.JOINED;
    }

    /** @return whether the member knows its id and exactly the expected others */
    boolean complete() {
        return self != null && members.size() == others;
    }

    /** @return the member's own id, or {@code null} before {@code /room:joined} */
    String self() {
        return self;
    }

    /** @return how many other members it knows */
    int known() {
        return members.size();
    }

    /** @return whether {@code id} is 11 characters of {@code [A-Za-z0-9_-]} */
    static boolean isMemberId(String id) {
        if (id.length() != MEMBER_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }
}
