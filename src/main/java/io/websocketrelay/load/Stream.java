package io.websocketrelay.load;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * P pairs; side a sends as fast as TCP flow control lets it (at most {@code --window} messages written but not yet
 * taken by the socket), side b checks every message's order and checksum. Reports delivered messages per second.
 */
final class Stream extends Scenario {

    private final LongAdder delivered = new LongAdder();
    private volatile boolean stopping;

    Stream(LoadOptions options) {
        super(options);
    }

    /** One pair: a sending thread, and b's check. */
    private final class Flow implements Runnable {
        final int index;
        final Conn a = new Conn(errors);
        final Conn b = new Conn(errors);
        final SequenceCheck order = new SequenceCheck(0);
        final Semaphore window = new Semaphore(options.window());
        volatile long sent;
        volatile long received;

        Flow(int index) {
            this.index = index;
            b.sink(Conn.Sink.stamps(options.size(), this::take));
        }

        private void take(Payload.Stamp stamp) {
            errors.check(stamp, 2 * index, order);
            received++;
            if (measuring) {
                delivered.increment();
            }
        }

        @Override
        public void run() {
            try {
                long seq = 0;
                while (!stopping) {
                    if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        continue;
                    }
                    Object message = options.binary() ? Payload.binary(seq, 2 * index, options.size())
                            : Payload.text(seq, 2 * index, options.size());
                    a.send(message, result -> {
                        window.release();
                        if (!result.isOK()) {
                            errors.io.increment();
                        }
                    });
                    sent = ++seq;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    Report run() throws IOException, InterruptedException {
        List<Flow> flows = new ArrayList<>();
        for (int i = 0; i < options.pairs(); i++) {
            flows.add(new Flow(i));
        }
        List<Pair> pairs = pairs(options.pairs(), "st", (i, id) -> pair(id, flows.get(i).a, flows.get(i).b));
        List<Thread> senders = new ArrayList<>();
        try {
            for (Flow flow : flows) {
                Thread sender = new Thread(flow, "stream-" + flow.index);
                sender.setDaemon(true);
                sender.start();
                senders.add(sender);
            }
            Window window = measure();
            double seconds = window.seconds();
            Report report = report("stream " + options.pairs() + " pairs, " + options.messageKind());
            window.cpu().addTo(report);
            stopping = true;
            for (Thread sender : senders) {
                sender.join(options.timeoutMillis());
            }
            long drainStart = System.nanoTime();
            until(() -> flows.stream().allMatch(f -> f.received >= f.sent), options.timeoutMillis());
            long lost = 0;
            for (Flow flow : flows) {
                lost += Math.max(0, flow.sent - flow.received);
            }
            errors.lost.add(lost);
            long messages = delivered.sum();
            report.put("pairs", options.pairs()).put("messages", messages).put("msgs_per_s", messages / seconds)
                    .put("mb_per_s", messages * (double) options.size() / seconds / 1e6)
                    .put("drain_s", (System.nanoTime() - drainStart) / 1e9)
                    .put("intact_in_order", errors.total() == 0);
            addRss(report, "server_rss_bytes");
            errors.addTo(report.figures());
            return report;
        } finally {
            stopping = true;
            pairs.forEach(Pair::close);
        }
    }
}
