package io.websocketrelay.load;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * P pairs; side a sends one message, side b answers it with the same sequence number, a sends the next when the
 * answer arrives. Reports round trips per second and round-trip latency over the measured window.
 */
final class PingPong extends Scenario {

    private final Latencies latencies = new Latencies();
    private final LongAdder roundTrips = new LongAdder();
    private volatile boolean stopping;

    PingPong(LoadOptions options) {
        super(options);
    }

    /** The state of one pair; a's side is touched by one thread at a time, in turn with b's answers. */
    private final class Rally {
        final int index;
        final Conn a = new Conn(errors);
        final Conn b = new Conn(errors);
        final SequenceCheck atB = new SequenceCheck(0);
        volatile long seq;
        volatile long sentAt;
        volatile boolean answered = true;

        Rally(int index) {
            this.index = index;
            a.sink(Conn.Sink.stamps(options.size(), this::answer));
            b.sink(Conn.Sink.stamps(options.size(), this::echo));
        }

        void serve() {
            if (stopping) {
                return;
            }
            answered = false;
            sentAt = System.nanoTime();
            a.send(message(seq, 2 * index));
        }

        private void echo(Payload.Stamp stamp) {
            errors.check(stamp, 2 * index, atB);
            if (stamp != null) {
                b.send(message(stamp.seq(), 2 * index + 1));
            }
        }

        private void answer(Payload.Stamp stamp) {
            long now = System.nanoTime();
            if (stamp == null) {
                errors.corrupt.increment();
            } else if (stamp.tag() != 2 * index + 1) {
                errors.misrouted.increment();
            } else if (stamp.seq() != seq) {
                (stamp.seq() < seq ? errors.duplicated : errors.outOfOrder).increment();
            } else {
                if (measuring) {
                    latencies.record((now - sentAt) / 1000);
                    roundTrips.increment();
                }
                seq++;
                answered = true;
                serve();
            }
        }
    }

    @Override
    Report run() throws IOException, InterruptedException {
        List<Rally> rallies = new ArrayList<>();
        for (int i = 0; i < options.pairs(); i++) {
            rallies.add(new Rally(i));
        }
        List<Pair> pairs = pairs(options.pairs(), "pp", (i, id) -> pair(id, rallies.get(i).a, rallies.get(i).b));
        try {
            rallies.forEach(Rally::serve);
            Window window = measure();
            double seconds = window.seconds();
            Report report = report("pingpong " + options.pairs() + " pairs, " + options.messageKind());
            window.cpu().addTo(report);
            stopping = true;
            until(() -> rallies.stream().allMatch(r -> r.answered), options.timeoutMillis());
            rallies.stream().filter(r -> !r.answered).forEach(r -> errors.lost.increment());
            report.put("pairs", options.pairs()).put("round_trips", roundTrips.sum())
                    .put("rt_per_s", roundTrips.sum() / seconds);
            latencies.addTo(report.figures(), "lat");
            addRss(report, "server_rss_bytes");
            errors.addTo(report.figures());
            return report;
        } finally {
            pairs.forEach(Pair::close);
        }
    }
}
