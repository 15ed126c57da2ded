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
    /** The tag of another pair or session, or the receiver's own. */
    final LongAdder misrouted = new LongAdder();
    /** Data where none should arrive, or relayed data before {@code /status:connected}. */
    final LongAdder unexpected = new LongAdder();
    /** A connection or send that failed. */
    final LongAdder io = new LongAdder();

    /** Counts what one received message says, given the sender's expected tag and its sequence check. */
    void check(Payload.Stamp stamp, int expectedTag, SequenceCheck order) {
        if (stamp == null) {
            corrupt.increment();
        } else if (stamp.tag() != expectedTag) {
            misrouted.increment();
        } else {
            switch (order.accept(stamp.seq())) {
                case DUPLICATED -> duplicated.increment();
                case GAP -> outOfOrder.increment();
                default -> {
                }
            }
        }
    }

    /** @return the sum of every counter */
    long total() {
        return lost.sum() + duplicated.sum() + outOfOrder.sum() + corrupt.sum() + misrouted.sum() + unexpected.sum()
                + io.sum();
    }

    /** Adds the counters to a report as {@code err_*}, then {@code ok}. */
    void addTo(Map<String, Object> figures) {
        figures.put("err_lost", lost.sum());
        figures.put("err_duplicated", duplicated.sum());
        figures.put("err_out_of_order", outOfOrder.sum());
        figures.put("err_corrupt", corrupt.sum());
        figures.put("err_misrouted", misrouted.sum());
        figures.put("err_unexpected", unexpected.sum());
        figures.put("err_io", io.sum());
        figures.put("ok", total() == 0);
    }
}
