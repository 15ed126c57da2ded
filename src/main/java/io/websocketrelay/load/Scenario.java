package io.websocketrelay.load;

import io.websocketrelay.core.Protocol;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/** What the scenarios share: opening pairs, waiting with bounds, the measured window and its CPU figures. */
abstract class Scenario {

    final LoadOptions options;
    final Clients clients;
    final Errors errors = new Errors();
    /** Set during the measured window only: what happens outside it is checked but not counted. */
    volatile boolean measuring;

    Scenario(LoadOptions options) {
        this.options = options;
        this.clients = new Clients(options.url(), (int) options.timeoutMillis());
    }

    /** Runs the scenario and returns its figures. */
    abstract Report run() throws IOException, InterruptedException;

    static Scenario of(LoadOptions options) {
        return switch (options.scenario()) {
            case "pingpong" -> new PingPong(options);
            case "stream" -> new Stream(options);
            case "connect" -> new Connect(options);
            case "churn" -> new Churn(options);
            case "room" -> new Room(options);
            default -> throw new IllegalArgumentException(options.scenario());
        };
    }

    /** Two connections on one id, both told {@code /status:connected}. */
    record Pair(Conn a, Conn b) {
        void close() {
            a.close();
            b.close();
        }
    }

    /** Opens a pair on {@code id}: a waits first, then b joins; both must be told they are connected. */
    Pair pair(String id, Conn a, Conn b) throws IOException, InterruptedException {
        clients.open(a, id, null);
        await(a.waiting, Protocol.WAITING + " on " + id);
        clients.open(b, id, null);
        await(a.connected, Protocol.CONNECTED + " on " + id);
        await(b.connected, Protocol.CONNECTED + " on " + id);
        return new Pair(a, b);
    }

    /** Opens {@code count} pairs, a few at a time. */
    List<Pair> pairs(int count, String kind, PairFactory factory) throws IOException, InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(count, 16));
        try {
            List<Future<Pair>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                futures.add(pool.submit(() -> factory.open(index, options.idPrefix() + "-" + kind + "-" + index)));
            }
            List<Pair> pairs = new ArrayList<>();
            for (Future<Pair> f : futures) {
                pairs.add(get(f));
            }
            return pairs;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Opens pair number {@code index} on {@code id}. */
    @FunctionalInterface
    interface PairFactory {
        Pair open(int index, String id) throws IOException, InterruptedException;
    }

    /** Waits for a future, at most the step timeout. */
    void await(CompletableFuture<?> future, String what) throws IOException, InterruptedException {
        get(future, what);
    }

    private <T> T get(Future<T> future) throws IOException, InterruptedException {
        return get(future, "a connection");
    }

    /** Waits for a future, at most the step timeout; its failure is rethrown as an {@link IOException}. */
    <T> T get(Future<T> future, String what) throws IOException, InterruptedException {
        try {
            return future.get(options.timeoutMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException("no " + what + " within " + options.timeout() + " s", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(what + " failed", e.getCause());
        }
    }

    /** Waits, at most {@code millis}, until {@code done} holds; returns whether it did. */
    static boolean until(BooleanSupplier done, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!done.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(5)));
        }
        return true;
    }

    /** The measured window: its length and the CPU used over it. */
    record Window(double seconds, CpuWindow cpu) {
    }

    /** Lets the warm-up pass, then the measured window with {@link #measuring} set. */
    Window measure() throws InterruptedException {
        pause(options.warmup());
        CpuWindow cpu = new CpuWindow();
        long start = System.nanoTime();
        measuring = true;
        pause(options.duration());
        measuring = false;
        return new Window((System.nanoTime() - start) / 1e9, cpu);
    }

    /** A payload of the configured kind and size. */
    Object message(long seq, int tag) {
        return options.binary() ? Payload.binary(seq, tag, options.size()) : Payload.text(seq, tag, options.size());
    }

    /** Lets {@code seconds} pass. */
    static void pause(double seconds) throws InterruptedException {
        TimeUnit.NANOSECONDS.sleep((long) (seconds * 1e9));
    }

    /** CPU use of this process and of the relay over a window. */
    final class CpuWindow {
        private final long start = System.nanoTime();
        private final double client = ProcStats.cpuSeconds(ProcessHandle.current().pid());
        private final double server = options.serverPid() > 0 ? ProcStats.cpuSeconds(options.serverPid()) : -1;

        /** Adds {@code client_cpu_pct} and, with a server pid, {@code server_cpu_pct} (100 = one core). */
        void addTo(Report report) {
            double seconds = (System.nanoTime() - start) / 1e9;
            double clientNow = ProcStats.cpuSeconds(ProcessHandle.current().pid());
            if (client >= 0 && clientNow >= 0) {
                report.put("client_cpu_pct", 100 * (clientNow - client) / seconds);
            }
            if (server >= 0) {
                report.put("server_cpu_pct", 100 * (ProcStats.cpuSeconds(options.serverPid()) - server) / seconds);
            }
        }
    }

    /** Adds the relay's resident memory, if a pid was given. */
    void addRss(Report report, String key) {
        if (options.serverPid() > 0) {
            report.put(key, ProcStats.rssBytes(options.serverPid()));
        }
    }

    /** A new report with the fields every scenario has. */
    Report report(String headline) {
        return new Report(headline).put("scenario", options.scenario()).put("size", options.size())
                .put("binary", options.binary());
    }
}
