package io.websocketrelay.load;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * P slots, each again and again: a and b connect on a new id, wait to be paired, each sends K messages and receives
 * the other's K, both close. Reports sessions per second and any lost, duplicated or misrouted message.
 */
final class Churn extends Scenario {

    private final AtomicLong sessionNumbers = new AtomicLong();
    private final LongAdder sessions = new LongAdder();
    private final LongAdder failedSessions = new LongAdder();
    private final Latencies sessionTimes = new Latencies();
    private volatile boolean stopping;

    Churn(LoadOptions options) {
        super(options);
    }

    /** One side of a session: what it must receive from the other side. */
    private final class Side {
        final Conn conn = new Conn(errors).sink(Conn.Sink.stamps(options.size(), this::take));
        final int expectedTag;
        final SequenceCheck order = new SequenceCheck(0);
        final LongAdder got = new LongAdder();

        Side(int expectedTag) {
            this.expectedTag = expectedTag;
        }

        private synchronized void take(Payload.Stamp stamp) {
            errors.check(stamp, expectedTag, order);
            got.increment();
        }
    }

    private void session() throws InterruptedException {
        long number = sessionNumbers.getAndIncrement();
        int tag = (int) (2 * (number & 0x3fffffff));
        String id = options.idPrefix() + "-ch-" + number;
        long start = System.nanoTime();
        Side a = new Side(tag + 1);
        Side b = new Side(tag);
        int k = options.messages();
        try {
            pair(id, a.conn, b.conn);
            for (int i = 0; i < k; i++) {
                a.conn.send(message(i, tag));
                b.conn.send(message(i, tag + 1));
            }
            boolean complete = until(() -> a.got.sum() >= k && b.got.sum() >= k, options.timeoutMillis());
            if (!complete) {
                errors.lost.add(Math.max(0, k - a.got.sum()) + Math.max(0, k - b.got.sum()));
                failedSessions.increment();
            }
            if (measuring) {
                sessions.increment();
                sessionTimes.record((System.nanoTime() - start) / 1000);
            }
        } catch (IOException e) {
            errors.io.increment();
            failedSessions.increment();
        } finally {
            a.conn.close();
            b.conn.close();
        }
        until(() -> a.conn.closed.isDone() && b.conn.closed.isDone(), options.timeoutMillis());
    }

    @Override
    Report run() throws IOException, InterruptedException {
        List<Thread> slots = new ArrayList<>();
        for (int i = 0; i < options.pairs(); i++) {
            Thread slot = new Thread(() -> {
                try {
                    while (!stopping) {
                        session();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "churn-" + i);
            slot.setDaemon(true);
            slots.add(slot);
            slot.start();
        }
        Window window = measure();
        double seconds = window.seconds();
        Report report = report("churn " + options.pairs() + " slots, " + options.messages() + " messages each way, "
                + options.messageKind());
        window.cpu().addTo(report);
        stopping = true;
        for (Thread slot : slots) {
            slot.join(3 * options.timeoutMillis());
        }
        report.put("pairs", options.pairs()).put("sessions", sessions.sum()).put("sessions_per_s", sessions.sum() / seconds)
                .put("err_failed_sessions", failedSessions.sum());
        sessionTimes.addTo(report.figures(), "session");
        addRss(report, "server_rss_bytes");
        errors.addTo(report.figures());
        return report;
    }
}
