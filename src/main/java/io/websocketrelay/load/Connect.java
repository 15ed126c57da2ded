package io.websocketrelay.load;

import io.websocketrelay.core.Protocol;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * N connections each wait alone on an id of their own; then a partner joins each, and one message crosses each
 * pair. Reports the connect rate, the relay's resident memory per waiting connection and per pair (given its pid),
 * the pairing rate and latency (the partner's dial until the waiting side is told {@code /status:connected}). With
 * a hold, the memory is read again at its end: a JVM relay still holds its JIT compiler's scratch memory right after
 * the connections arrive, and returns it within seconds.
 */
final class Connect extends Scenario {

    private final Latencies pairing = new Latencies();
    private final LongAdder received = new LongAdder();

    Connect(LoadOptions options) {
        super(options);
    }

    @Override
    Report run() throws IOException, InterruptedException {
        int n = options.connections();
        List<InetAddress> sources = options.sourcesFor(2 * n);
        Conn[] waiters = new Conn[n];
        Conn[] partners = new Conn[n];
        Report report = report("connect " + n + " waiting connections");
        long rssBefore = options.serverPid() > 0 ? ProcStats.rssBytes(options.serverPid()) : -1;
        ExecutorService pool = Executors.newFixedThreadPool(options.concurrency());
        try {
            long start = System.nanoTime();
            run(pool, n, i -> {
                int tag = 2 * i;
                waiters[i] = new Conn(errors).sink(sink(tag + 1));
                clients.open(waiters[i], id(i), Clients.source(sources, options.perSource(), i, 2 * n));
                await(waiters[i].waiting, Protocol.WAITING);
            });
            double connectSeconds = (System.nanoTime() - start) / 1e9;
            report.put("connections", n).put("connect_per_s", n / connectSeconds)
                    .put("source_addresses", Math.max(1, (2 * n + options.perSource() - 1) / options.perSource()));
            long rssWaiting = -1;
            if (rssBefore > 0) {
                rssWaiting = ProcStats.rssBytes(options.serverPid());
                report.put("server_rss_before_bytes", rssBefore).put("server_rss_waiting_bytes", rssWaiting)
                        .put("server_rss_per_waiting_conn_bytes", (rssWaiting - rssBefore) / n);
            }
            pause(options.hold());
            if (rssBefore > 0 && options.hold() > 0) {
                long rssHeld = ProcStats.rssBytes(options.serverPid());
                report.put("server_rss_held_bytes", rssHeld)
                        .put("server_rss_per_held_conn_bytes", (rssHeld - rssBefore) / n);
            }
            start = System.nanoTime();
            run(pool, n, i -> {
                long dial = System.nanoTime();
                partners[i] = new Conn(errors).sink(sink(2 * i));
                clients.open(partners[i], id(i), Clients.source(sources, options.perSource(), n + i, 2 * n));
                await(waiters[i].connected, Protocol.CONNECTED);
                pairing.record((System.nanoTime() - dial) / 1000);
                await(partners[i].connected, Protocol.CONNECTED);
                partners[i].send(message(i, 2 * i + 1));
            });
            double pairSeconds = (System.nanoTime() - start) / 1e9;
            until(() -> received.sum() >= n, options.timeoutMillis());
            errors.lost.add(Math.max(0, n - received.sum()));
            report.put("pair_per_s", n / pairSeconds);
            pairing.addTo(report.figures(), "pair");
            if (rssBefore > 0) {
                long rssPaired = ProcStats.rssBytes(options.serverPid());
                report.put("server_rss_paired_bytes", rssPaired)
                        .put("server_rss_per_pair_bytes", (rssPaired - rssBefore) / n);
            }
        } finally {
            pool.shutdownNow();
            closeAll(waiters);
            closeAll(partners);
        }
        errors.addTo(report.figures());
        return report;
    }

    private String id(int i) {
        return options.idPrefix() + "-c-" + i;
    }

    /** The waiting side of pair i takes one message of tag {@code 2i + 1} with sequence i. */
    private Conn.Sink sink(int expectedTag) {
        int pair = expectedTag / 2;
        boolean waiter = expectedTag % 2 == 1;
        return Conn.Sink.stamps(options.size(), stamp -> {
            if (!waiter) {
                errors.unexpected.increment();
            } else {
                errors.check(stamp, expectedTag, new SequenceCheck(pair));
                received.increment();
            }
        });
    }

    @FunctionalInterface
    private interface Step {
        void run(int index) throws IOException, InterruptedException;
    }

    /** Runs step 0..n-1 on the pool; a step that fails counts as an I/O error. */
    private void run(ExecutorService pool, int n, Step step) throws InterruptedException {
        List<CompletableFuture<Void>> all = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int index = i;
            all.add(CompletableFuture.runAsync(() -> {
                try {
                    step.run(index);
                } catch (IOException | RuntimeException e) {
                    errors.io.increment();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, pool));
        }
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                    .get(options.timeoutMillis() + n * 50L, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            errors.io.increment();
        }
    }

    private void closeAll(Conn[] conns) throws InterruptedException {
        for (Conn conn : conns) {
            if (conn != null) {
                conn.close();
            }
        }
        until(() -> {
            for (Conn conn : conns) {
                if (conn != null && !conn.closed.isDone()) {
                    return false;
                }
            }
            return true;
        }, options.timeoutMillis());
    }
}
