package io.websocketrelay.load;

/**
 * The order check of one stream of messages from one sender: each sequence number must be the one after the last.
 * Not thread-safe; a receiver sees its messages one at a time.
 */
final class SequenceCheck {

    /** What one received sequence number says. */
    enum Verdict {
        /** The next one. */
        IN_ORDER,
        /** One already passed: a duplicate or a late message. */
        DUPLICATED,
        /** One further ahead: the ones between are missing (or come later). */
        GAP
    }

    private long next;

    /** @param first the sequence number expected first */
    SequenceCheck(long first) {
        this.next = first;
    }

    /** Checks {@code seq} and moves past it. */
    Verdict accept(long seq) {
        if (seq == next) {
            next++;
            return Verdict.IN_ORDER;
        }
        if (seq < next) {
            return Verdict.DUPLICATED;
        }
        next = seq + 1;
        return Verdict.GAP;
    }

    /** @return the sequence number expected next */
    long next() {
        return next;
    }
}
