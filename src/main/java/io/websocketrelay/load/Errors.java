package io.websocketrelay.load;

import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** The correctness counters of one run; each is safe to add to from any thread. */
final class Errors {

    /** Sent but never received (in pingpong: an answer that never came). */
    final LongAdder lost = new LongAdder();
    /** A sequence number already passed. */
    final LongAdder duplicated = new LongAdder();
    /** A sequence number further ahead than the next one. */
    final LongAdder outOfOrder = new LongAdder();
    /** Wrong size or checksum. */
    final LongAdder corrupt = new LongAdder();
    /** The tag of another pair, session or room, or (but in rooms) the receiver's own. */
    final LongAdder misrouted = new LongAdder();
    /** Rooms: a member's own message came back to it. */
    final LongAdder echoed = new LongAdder();
    /**
     * Data where none should arrive, relayed data before {@code /status:connected} (rooms: before the member saw its
     * room complete), or a control message that should not come.
     */
    final LongAdder unexpected = new LongAdder();
    /** Rooms: a {@code /member:close} before the run ended (a member was dropped or left). */
    final LongAdder peerGone = new LongAdder();
    /** A connection or send that failed, or a connection the relay closed during the run. */
    final LongAdder io = new LongAdder();

    /** Counts what one received message says, given the sender's expected tag and its sequence check. */
    void check(Payload.Stamp stamp, int expectedTag, SequenceCheck order) {
        if (stamp == null) {
            corrupt.increment();
        } else if (stamp.tag() != expectedTag) {
            misrouted.increment();
        } else {
            order(stamp.seq(), order);
        }
    }

    /**
     * Counts a duplicate or a gap in one sender's sequence.
     *
     * @return whether {@code seq} was new: the next one, or one further ahead (after a gap)
     */
    boolean order(long seq, SequenceCheck order) {
        switch (order.accept(seq)) {
            case DUPLICATED -> {
                duplicated.increment();
                return false;
            }
            case GAP -> {
                outOfOrder.increment();
                return true;
            }
            default -> {
                return true;
            }
        }
    }

    /** @return the sum of every counter */
    long total() {
        return lost.sum() + duplicated.sum() + outOfOrder.sum() + corrupt.sum() + misrouted.sum() + echoed.sum()
                + unexpected.sum() + peerGone.sum() + io.sum();
    }

    /** Adds the counters to a report as {@code err_*}, then {@code ok}. */
    void addTo(Map<String, Object> figures) {
        figures.put("err_lost", lost.sum());
        figures.put("err_duplicated", duplicated.sum());
        figures.put("err_out_of_order", outOfOrder.sum());
        figures.put("err_corrupt", corrupt.sum());
        figures.put("err_misrouted", misrouted.sum());
        figures.put("err_echoed", echoed.sum());
        figures.put("err_unexpected", unexpected.sum());
        figures.put("err_peer_gone", peerGone.sum());
        figures.put("err_io", io.sum());
        figures.put("ok", total() == 0);
    }
}
