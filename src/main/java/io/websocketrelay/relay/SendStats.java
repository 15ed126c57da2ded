package io.websocketrelay.relay;

import java.util.concurrent.atomic.AtomicLong;

/** The largest number of bytes that was ever queued for one receiver: shows how close anyone came to the limit. */
final class SendStats {

    private final AtomicLong highWaterMark = new AtomicLong();

    /** Records that {@code bytes} are pending for one receiver. Cheap when the mark is not exceeded. */
    void pending(long bytes) {
        long mark = highWaterMark.get();
        while (bytes > mark && !highWaterMark.compareAndSet(mark, bytes)) {
            mark = highWaterMark.get();
        }
    }

    long highWaterMark() {
        return highWaterMark.get();
    }
}
