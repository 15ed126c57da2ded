package io.websocketrelay.core;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The relay's counters, for health and metrics; one instance per relay, given out by {@link StatsProducer}. Counting on the relay path is one striped add per message
 * ({@link LongAdder}), so it costs nothing measurable under contention.
 */
public final class RelayStats {

    /** Why a message was not relayed. */
    public enum Refusal { ALONE, TOO_BIG, RATE, NO_SUCH_MEMBER, RESERVED }

    private final LongAdder connectionsOpened = new LongAdder();
    private final LongAdder pairsMade = new LongAdder();
    private final LongAdder textMessages = new LongAdder();
    private final LongAdder textBytes = new LongAdder();
    private final LongAdder binaryMessages = new LongAdder();
    private final LongAdder binaryBytes = new LongAdder();
    private final LongAdder roomDeliveries = new LongAdder();
    private final LongAdder slowReceiversDropped = new LongAdder();
    private final LongAdder sendFailures = new LongAdder();
    private final Map<Refusal, LongAdder> refused = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> closes = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> handshakesRefused = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> closedBy = new ConcurrentHashMap<>();
    private final AtomicLong sendQueueHighWaterMark = new AtomicLong();

    void opened() {
        connectionsOpened.increment();
    }

    void paired() {
        pairsMade.increment();
    }

    void relayed(Outbound message) {
        if (message.isText()) {
            textMessages.increment();
            textBytes.add(message.size());
        } else {
            binaryMessages.increment();
            binaryBytes.add(message.size());
        }
    }

    void delivered(int receivers) {
        roomDeliveries.add(receivers);
    }

    void slowReceiverDropped() {
        slowReceiversDropped.increment();
    }

    void sendFailed() {
        sendFailures.increment();
    }

    /** Records a message that was not relayed. */
    public void refused(Refusal why) {
        refused.computeIfAbsent(why, key -> new LongAdder()).increment();
    }

    /** Records a session that ended with {@code code}. */
    public void closed(int code) {
        closes.computeIfAbsent(code, key -> new LongAdder()).increment();
    }

    /** Records a session the relay closed for a reason of its own: {@code heartbeat}, {@code idle}, {@code rate}. */
    public void closedBy(String reason) {
        closedBy.computeIfAbsent(reason, key -> new LongAdder()).increment();
    }

    /** Records an upgrade that was refused, with a short reason such as {@code path} or {@code origin}. */
    public void handshakeRefused(String reason) {
        handshakesRefused.computeIfAbsent(reason, key -> new LongAdder()).increment();
    }

    /** Records that {@code bytes} are pending for one receiver. Cheap when the mark is not exceeded. */
    void pending(long bytes) {
        long mark = sendQueueHighWaterMark.get();
        while (bytes > mark && !sendQueueHighWaterMark.compareAndSet(mark, bytes)) {
            mark = sendQueueHighWaterMark.get();
        }
    }

    public long connectionsOpened() {
        return connectionsOpened.sum();
    }

    public long pairsMade() {
        return pairsMade.sum();
    }

    public long textMessages() {
        return textMessages.sum();
    }

    public long textBytes() {
        return textBytes.sum();
    }

    public long binaryMessages() {
        return binaryMessages.sum();
    }

    public long binaryBytes() {
        return binaryBytes.sum();
    }

    /** @return messages queued on room members, one per receiver */
    public long roomDeliveries() {
        return roomDeliveries.sum();
    }

    public long slowReceiversDropped() {
        return slowReceiversDropped.sum();
    }

    public long sendFailures() {
        return sendFailures.sum();
    }

    /** @return the most bytes that were ever queued for one receiver */
    public long sendQueueHighWaterMark() {
        return sendQueueHighWaterMark.get();
    }

    /** @return refused messages by reason, every reason present */
    public Map<Refusal, Long> refused() {
        Map<Refusal, Long> counts = new TreeMap<>();
        for (Refusal why : Refusal.values()) {
            LongAdder count = refused.get(why);
            counts.put(why, count == null ? 0 : count.sum());
        }
        return counts;
    }

    /** @return sessions ended, by close code */
    public Map<Integer, Long> closes() {
        return snapshot(closes);
    }

    /** @return sessions the relay closed for a reason of its own, by reason */
    public Map<String, Long> closedBy() {
        return snapshot(closedBy);
    }

    /** @return handshakes refused, by reason */
    public Map<String, Long> handshakesRefused() {
        return snapshot(handshakesRefused);
    }

    private static <K extends Comparable<K>> Map<K, Long> snapshot(Map<K, LongAdder> counters) {
        Map<K, Long> copy = new TreeMap<>();
        counters.forEach((key, count) -> copy.put(key, count.sum()));
        return copy;
    }
}
