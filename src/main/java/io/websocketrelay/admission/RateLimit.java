package io.websocketrelay.admission;

/**
 * Token buckets for what one connection may send: messages per second and bytes per second, each with one second's
 * worth of burst. Not thread-safe: a container delivers one connection's messages one at a time.
 */
public final class RateLimit {

    private static final double SECOND_NANOS = 1e9;

    private final int messagesPerSecond;
    private final long bytesPerSecond;
    private double messages;
    private double bytes;
    private long last;

    /** @return a limit, or {@code null} when both rates are 0 (off) */
    public static RateLimit of(int messagesPerSecond, long bytesPerSecond, long now) {
        return messagesPerSecond == 0 && bytesPerSecond == 0 ? null : new RateLimit(messagesPerSecond, bytesPerSecond, now);
    }

    private RateLimit(int messagesPerSecond, long bytesPerSecond, long now) {
        this.messagesPerSecond = messagesPerSecond;
        this.bytesPerSecond = bytesPerSecond;
        this.messages = messagesPerSecond;
        this.bytes = bytesPerSecond;
        this.last = now;
    }

    /**
     * Takes one message of {@code size} bytes at time {@code now} (nanoseconds).
     *
     * @return {@code null} when it is within the limits, else which limit it broke
     */
    public String take(int size, long now) {
        double elapsed = (now - last) / SECOND_NANOS;
        last = now;
        if (messagesPerSecond > 0) {
            messages = Math.min(messagesPerSecond, messages + elapsed * messagesPerSecond);
            if (messages < 1) {
                return "more than " + messagesPerSecond + " messages per second";
            }
            messages--;
        }
        if (bytesPerSecond > 0) {
            bytes = Math.min(bytesPerSecond, bytes + elapsed * bytesPerSecond);
            if (bytes < size) {
                return "more than " + bytesPerSecond + " bytes per second";
            }
            bytes -= size;
        }
        return null;
    }
}
