package io.websocketrelay.load;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What one room member checks of every message it receives: it comes from a sender of its own room, never from the
 * member itself, intact, and in each sender's order. Members of room {@code r} are numbered {@code 0..M-1}; member
 * {@code i} tags its messages {@code r * M + i}; the first K members send.
 *
 * <p>Threading: {@link #accept} is called by one thread at a time (a connection's messages come one at a time);
 * {@link #received} and {@link #missing} may be read by any thread.
 */
final class RoomCheck {

    private final int first;
    private final int self;
    private final int senders;
    private final Errors errors;
    private final SequenceCheck[] orders;
    private final AtomicLongArray received;

    /**
     * @param room    the member's room number
     * @param self    the member's number in its room
     * @param members members per room
     * @param senders how many of them send: members {@code 0..senders-1}
     * @param errors  where errors are counted
     */
    RoomCheck(int room, int self, int members, int senders, Errors errors) {
        this.first = tag(room, 0, members);
        this.self = self;
        this.senders = senders;
        this.errors = errors;
        this.orders = new SequenceCheck[senders];
        for (int i = 0; i < senders; i++) {
            orders[i] = new SequenceCheck(0);
        }
        this.received = new AtomicLongArray(senders);
    }

    /** @return the tag of member {@code index} of room {@code room} */
    static int tag(int room, int index, int members) {
        return Math.multiplyExact(room, members) + index;
    }

    /**
     * Checks one received message and counts what is wrong with it: corrupt, echoed (the member's own), misrouted
     * (another room's, or a member's that does not send), duplicated or out of order.
     *
     * @param stamp the decoded message, {@code null} if it was not intact
     * @return the number of the sender when the message is new from it (the next one, or one after a gap), else -1
     */
    int accept(Payload.Stamp stamp) {
        if (stamp == null) {
            errors.corrupt.increment();
            return -1;
        }
        long index = (long) stamp.tag() - first;
        if (index == self) {
            errors.echoed.increment();
            return -1;
        }
        if (index < 0 || index >= senders) {
            errors.misrouted.increment();
            return -1;
        }
        int sender = (int) index;
        if (!errors.order(stamp.seq(), orders[sender])) {
            return -1;
        }
        received.set(sender, received.get(sender) + 1);
        return sender;
    }

    /** @return how many distinct messages of sender {@code sender} arrived */
    long received(int sender) {
        return received.get(sender);
    }

    /**
     * @param sent how many messages each sender of the room sent, by sender number
     * @return how many messages the other senders sent that did not arrive here
     */
    long missing(long[] sent) {
        long missing = 0;
        for (int i = 0; i < senders; i++) {
            if (i != self) {
                missing += Math.max(0, sent[i] - received.get(i));
            }
        }
        return missing;
    }
}
