package io.websocketrelay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.websocketrelay.config.RelaySettings;
import io.websocketrelay.testing.JsonReader;
import io.websocketrelay.testing.RelayClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /metrics} as a real Prometheus sees it, from two relays (two nodes): one started in this JVM, one the
 * standalone jar in a process of its own (one JVM serves one relay). Debian's {@code /usr/bin/prometheus}, started as
 * a child process, scrapes both every second while pairs of tyrus clients relay messages through the first, and the
 * test asks Prometheus's HTTP API: every metric of the README's Monitoring table is there from both relays, with the
 * type given there; a rate over 30 s of relayed messages is above zero; every query of the Grafana dashboard in
 * {@code server-config/grafana/} answers with a series for each relay.
 *
 * <p>Without {@code /usr/bin/prometheus} (or {@code $PROMETHEUS}) the tests are skipped with a message, except with
 * {@code CI=true}, where they fail. Every wait is bounded: a deadline, checked between short polls.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PrometheusIT {

    private static final Path BASE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    private static final Path README = BASE.resolve("README.md");
    private static final Path DASHBOARD = BASE.resolve("server-config/grafana/websocket-relay.json");
    private static final Path WORK = BASE.resolve("target/prometheus");
    private static final Path DATA = WORK.resolve("data");
    private static final Path PROMETHEUS = Path.of(System.getenv().getOrDefault("PROMETHEUS", "/usr/bin/prometheus"));
    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final Duration POLL = Duration.ofMillis(200);
    /** What Grafana puts for the dashboard's variables, as the test runs its queries. */
    private static final Map<String, String> VARIABLES = Map.of("$__rate_interval", "30s", "$instance", ".+");
    private static final int PAIRS = 3;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static RelayServer loaded;
    /** The second relay: the standalone jar in a process of its own. */
    private static Process quiet;
    private static int quietPort;
    private static Process prometheus;
    private static String missing;
    private static URI api;
    private static final List<RelayClient> CLIENTS = new ArrayList<>();
    private static final AtomicBoolean LOADING = new AtomicBoolean(true);
    private static final AtomicLong ROUND_TRIPS = new AtomicLong();
    private static ExecutorService load;
    private static final List<Future<?>> PAIR_RUNS = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        if (!Files.isExecutable(PROMETHEUS)) {
            missing = PROMETHEUS + " is missing: apt-get install -y prometheus";
            if ("true".equals(System.getenv("CI"))) {
                fail(missing + " (CI=true: the Prometheus test must run)");
            }
            System.err.println("PrometheusIT skipped: " + missing);
            return;
        }
        // an idle timeout, so that each relay closes a client for a reason of its own while the test watches
        RelaySettings settings = RelaySettings.of(Map.of(RelaySettings.IDLE_TIMEOUT_MS, "1000"));
        loaded = RelayServer.start(Options.of("127.0.0.1", 0, settings));
        startQuiet();
        startPrometheus();
        startLoad();
    }

    @AfterAll
    static void stop() throws Exception {
        LOADING.set(false);
        if (load != null) {
            load.shutdown();
            load.awaitTermination(RelayClient.TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS);
            load.shutdownNow();
        }
        for (RelayClient client : CLIENTS) {
            try {
                client.close();
            } catch (IOException | RuntimeException e) {
                // already gone
            }
        }
        if (prometheus != null) {
            stopByPid(prometheus);
            deleteTree(DATA);
        }
        if (quiet != null) {
            stopByPid(quiet);
        }
        if (loaded != null) {
            loaded.close();
        }
    }

    @Test
    void everyDocumentedMetricIsScrapedWithItsDocumentedType() throws Exception {
        requirePrometheus();
        Map<String, String> documented = documentedMetrics();
        assertTrue(documented.size() >= 14, "the README's Monitoring table, as read: " + documented);
        for (Map.Entry<String, String> metric : documented.entrySet()) {
            String name = metric.getKey();
            List<Object> series = awaitSeries(name, result -> instances(result).size() == 2);
            Set<String> instances = instances(series);
            assertEquals(Set.of(instance(loaded), quietInstance()), instances, name + " from both relays");
            Map<String, Object> metadata = JsonReader.object(get("/api/v1/metadata", Map.of("metric", name)));
            List<Object> entries = metadata.containsKey(name) ? JsonReader.array(metadata.get(name)) : List.of();
            assertFalse(entries.isEmpty(), "Prometheus has no metadata for " + name + ": " + metadata);
            for (Object entry : entries) {
                assertEquals(metric.getValue(), JsonReader.object(entry).get("type"), "type of " + name);
            }
        }
    }

    @Test
    void aRateOfRelayedMessagesAnswersDuringTheLoad() throws Exception {
        requirePrometheus();
        String query = "rate(websocket_relay_messages_relayed_total[30s])";
        List<Object> result = awaitSeries(query, series -> value(series, instance(loaded), "text") > 0);
        assertLoadRuns();
        assertTrue(value(result, instance(loaded), "text") > 0, query + ": " + result);
        assertEquals(0.0, value(result, quietInstance(), "text"), query + " on the relay without load: " + result);
    }

    @Test
    void everyQueryOfTheGrafanaDashboardReturnsASeries() throws Exception {
        requirePrometheus();
        Map<String, Object> dashboard = JsonReader.object(JsonReader.parse(Files.readString(DASHBOARD)));
        Map<String, String> queries = dashboardQueries(dashboard);
        assertTrue(queries.size() >= 10, "queries found in the dashboard: " + queries);
        String all = String.join("\n", queries.keySet());
        for (String metric : documentedMetrics().keySet()) {
            assertTrue(all.contains(metric), "no panel shows " + metric);
        }
        Set<String> both = Set.of(instance(loaded), quietInstance());
        for (Map.Entry<String, String> query : queries.entrySet()) {
            String expr = query.getKey();
            assertTrue(expr.contains("instance=~\"$instance\"") && expr.contains("by (instance"),
                    query.getValue() + ": per instance and filtered by $instance: " + expr);
            String promql = substitute(expr);
            List<Object> result = awaitSeries(promql, series -> instances(series).containsAll(both));
            assertEquals(both, instances(result), query.getValue() + ": one series per relay at least: " + promql);
        }
        // the instance variable's label_values(metric, instance), as Grafana asks for it
        Map<String, Object> variable = variable(dashboard, "instance");
        Matcher labelValues = Pattern.compile("label_values\\((\\w+), *instance\\)")
                .matcher(String.valueOf(variable.get("definition")));
        assertTrue(labelValues.matches(), "the instance variable: " + variable);
        Object values = get("/api/v1/label/instance/values", Map.of("match[]", labelValues.group(1)));
        assertEquals(both, new TreeSet<>(JsonReader.array(values).stream().map(String::valueOf).toList()));
        assertEquals("datasource", variable(dashboard, "datasource").get("type"));
        assertEquals("prometheus", variable(dashboard, "datasource").get("query"));
    }

    // ---- the relays and their load ----

    /**
     * Three pairs on one relay bounce a message back and forth until the tests end. On both relays one client sends
     * while alone (refused) and then stays idle until the relay closes it, and one upgrade is refused; the other
     * relay has no further load.
     */
    private static void startLoad() throws Exception {
        load = Executors.newFixedThreadPool(PAIRS, runnable -> {
            Thread thread = new Thread(runnable, "prometheus-it-load");
            thread.setDaemon(true);
            return thread;
        });
        for (int i = 0; i < PAIRS; i++) {
            String id = "p-" + UUID.randomUUID();
            RelayClient a = client(loaded.port(), id);
            a.expect("/status:waiting");
            RelayClient b = client(loaded.port(), id);
            b.expect("/status:connected");
            a.expect("/remote:open", "/status:connected");
            PAIR_RUNS.add(load.submit(() -> {
                long n = 0;
                while (LOADING.get()) {
                    String message = "m" + n++;
                    a.send(message);
                    assertEquals(message, b.nextText());
                    b.send(message);
                    assertEquals(message, a.nextText());
                    ROUND_TRIPS.incrementAndGet();
                }
                return null;
            }));
        }
        List<RelayClient> idle = new ArrayList<>();
        for (int port : List.of(loaded.port(), quietPort)) {
            RelayClient client = client(port, "idle-" + UUID.randomUUID());
            client.expect("/status:waiting");
            client.send("nobody hears this");
            assertTrue(client.nextText().startsWith("/error:0001:"), "refused while alone");
            idle.add(client);
            assertThrows(IOException.class, () -> client(port, "a/b"), "two segments are refused with 404");
        }
        for (RelayClient client : idle) {
            assertEquals(1001, client.awaitClose().getCloseCode().getCode(), "closed as idle");
        }
    }

    /** Fails when a pair of the load has stopped, with what stopped it. */
    private static void assertLoadRuns() throws Exception {
        for (Future<?> run : PAIR_RUNS) {
            if (run.isDone()) {
                run.get();
                fail("a pair of the load stopped");
            }
        }
        assertTrue(LOADING.get() && ROUND_TRIPS.get() > 0, "the load runs: " + ROUND_TRIPS + " round trips");
    }

    private static RelayClient client(int port, String id) throws IOException {
        RelayClient client = RelayClient.connect(URI.create("ws://127.0.0.1:" + port + "/" + id));
        CLIENTS.add(client);
        return client;
    }

    private static String instance(RelayServer server) {
        return "127.0.0.1:" + server.port();
    }

    private static String quietInstance() {
        return "127.0.0.1:" + quietPort;
    }

    /** Starts the standalone jar on an ephemeral port and waits, bounded, for the line that gives its port. */
    private static void startQuiet() throws Exception {
        Path jar = Path.of(System.getProperty("relay.standalone.jar", "target/websocket-relay-standalone.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " is missing; run mvn verify");
        Files.createDirectories(WORK);
        Path log = WORK.resolve("relay.log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "--ip", "127.0.0.1", "--port", "0", "--idle-timeout-ms", "1000")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("RELAY_"));
        quiet = builder.start();
        Pattern serving = Pattern.compile("serving ws://127\\.0\\.0\\.1:(\\d+)/");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Matcher matcher = serving.matcher(Files.readString(log));
            if (matcher.find()) {
                quietPort = Integer.parseInt(matcher.group(1));
                return;
            }
            if (!quiet.isAlive() || System.nanoTime() > deadline) {
                fail("the standalone relay did not start within " + WAIT + ":\n" + Files.readString(log));
            }
            quiet.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    // ---- Prometheus ----

    private static void startPrometheus() throws Exception {
        Files.createDirectories(WORK);
        deleteTree(DATA); // a run that was killed leaves its data behind
        Path config = WORK.resolve("prometheus.yml");
        Files.writeString(config, String.join("\n",
                "# written by PrometheusIT: both relays of the test, scraped every second",
                "global:",
                "  scrape_interval: 1s",
                "  scrape_timeout: 1s",
                "  evaluation_interval: 1s",
                "scrape_configs:",
                "  - job_name: websocket-relay",
                "    metrics_path: /metrics",
                "    static_configs:",
                "      - targets: ['" + instance(loaded) + "', '" + quietInstance() + "']",
                ""));
        Path log = WORK.resolve("prometheus.log");
        for (int attempt = 1; ; attempt++) {
            int port = freePort();
            api = URI.create("http://127.0.0.1:" + port);
            prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                    "--storage.tsdb.path=" + DATA, "--web.listen-address=127.0.0.1:" + port,
                    "--storage.tsdb.retention.time=1h")
                    .directory(WORK.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (awaitReady(log)) {
                return;
            }
            String output = Files.readString(log);
            if (attempt == 3 || !output.contains("address already in use")) {
                fail("prometheus ended with " + prometheus.exitValue() + " before it was ready:\n" + output);
            }
            // another process took the port between freePort and Prometheus's bind: once more on another
        }
    }

    /** @return true once Prometheus answers {@code /-/ready}, false if it ends first; fails at the deadline */
    private static boolean awaitReady(Path log) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (prometheus.isAlive()) {
            try {
                HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(api.resolve("/-/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (ready.statusCode() == 200) {
                    return true;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                fail("prometheus not ready within " + WAIT + ":\n" + Files.readString(log));
            }
            prometheus.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS);
        }
        return false;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Ends Prometheus by its process id: SIGTERM, then SIGKILL if it has not ended within 10 s. */
    private static void stopByPid(Process process) throws InterruptedException {
        ProcessHandle handle = ProcessHandle.of(process.pid()).orElse(null);
        if (handle == null) {
            return;
        }
        handle.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            handle.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** @return the {@code data} of a successful answer of Prometheus's HTTP API */
    private static Object get(String path, Map<String, String> parameters) throws IOException, InterruptedException {
        StringBuilder uri = new StringBuilder(path);
        char separator = '?';
        for (Map.Entry<String, String> parameter : parameters.entrySet()) {
            uri.append(separator).append(URLEncoder.encode(parameter.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(parameter.getValue(), StandardCharsets.UTF_8));
            separator = '&';
        }
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(api.resolve(uri.toString()))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        Map<String, Object> answer = JsonReader.object(JsonReader.parse(response.body()));
        assertEquals("success", answer.get("status"), uri + " answered " + response.statusCode() + " "
                + response.body());
        return answer.get("data");
    }

    /** @return the vector an instant query answers */
    private static List<Object> query(String promql) throws IOException, InterruptedException {
        Map<String, Object> data = JsonReader.object(get("/api/v1/query", Map.of("query", promql)));
        assertEquals("vector", data.get("resultType"), promql);
        return JsonReader.array(data.get("result"));
    }

    /** Asks again, between short polls, until the answer satisfies {@code enough} or the deadline passes. */
    private static List<Object> awaitSeries(String promql, Predicate<List<Object>> enough) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<Object> result = query(promql);
        while (!enough.test(result) && System.nanoTime() < deadline) {
            prometheus.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS); // returns early only if Prometheus ended
            assertTrue(prometheus.isAlive(), "prometheus ended");
            result = query(promql);
        }
        assertFalse(result.isEmpty(), promql + " returned no series within " + WAIT);
        return result;
    }

    private static Set<String> instances(List<Object> series) {
        Set<String> instances = new TreeSet<>();
        for (Object one : series) {
            Object instance = JsonReader.object(JsonReader.object(one).get("metric")).get("instance");
            if (instance != null) {
                instances.add(instance.toString());
            }
        }
        return instances;
    }

    /** @return the value of the series for {@code instance} and message {@code type}, or -1 if there is none */
    private static double value(List<Object> series, String instance, String type) {
        for (Object one : series) {
            Map<String, Object> sample = JsonReader.object(one);
            Map<String, Object> labels = JsonReader.object(sample.get("metric"));
            if (instance.equals(labels.get("instance")) && type.equals(labels.get("type"))) {
                return Double.parseDouble(String.valueOf(JsonReader.array(sample.get("value")).get(1)));
            }
        }
        return -1;
    }

    // ---- the documents under test ----

    /** @return metric name to type, from the table of the README's Monitoring section */
    static Map<String, String> documentedMetrics() throws IOException {
        String readme = Files.readString(README);
        int start = readme.indexOf("\n## Monitoring\n");
        assertTrue(start >= 0, "README.md has a Monitoring section");
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        Pattern row = Pattern.compile("^\\| `(websocket_relay_[a-z_]+)(\\{[a-z_, ]+})?` \\| (counter|gauge) \\|",
                Pattern.MULTILINE);
        Map<String, String> metrics = new LinkedHashMap<>();
        Matcher matcher = row.matcher(section);
        while (matcher.find()) {
            metrics.put(matcher.group(1), matcher.group(3));
        }
        long rows = section.lines().filter(line -> line.startsWith("| `websocket_relay_")).count();
        assertEquals(rows, metrics.size(), "every row of the Monitoring table names a metric and its type");
        return metrics;
    }

    /** @return every {@code expr} of every panel (rows' nested panels too), each with its panel's title */
    private static Map<String, String> dashboardQueries(Map<String, Object> dashboard) {
        Map<String, String> queries = new LinkedHashMap<>();
        List<Object> panels = JsonReader.array(dashboard.get("panels"));
        Stream.concat(panels.stream(), panels.stream()
                .flatMap(panel -> JsonReader.array(JsonReader.object(panel).getOrDefault("panels", List.of())).stream()))
                .map(JsonReader::object)
                .forEach(panel -> {
                    for (Object target : JsonReader.array(panel.getOrDefault("targets", List.of()))) {
                        Object expr = JsonReader.object(target).get("expr");
                        if (expr != null) {
                            queries.put(expr.toString(), String.valueOf(panel.get("title")));
                        }
                    }
                });
        return queries;
    }

    private static Map<String, Object> variable(Map<String, Object> dashboard, String name) {
        for (Object variable : JsonReader.array(JsonReader.object(dashboard.get("templating")).get("list"))) {
            if (name.equals(JsonReader.object(variable).get("name"))) {
                return JsonReader.object(variable);
            }
        }
        throw new AssertionError("the dashboard has no variable " + name);
    }

    private static String substitute(String expr) {
        String promql = expr;
        for (Map.Entry<String, String> variable : VARIABLES.entrySet()) {
            promql = promql.replace(variable.getKey(), variable.getValue());
        }
        assertFalse(promql.contains("$"), "a variable the test does not know in " + expr);
        return promql;
    }

    /** Skips a test, visibly, when Prometheus is missing (outside CI, where the start has already failed). */
    private static void requirePrometheus() {
        Assumptions.assumeTrue(missing == null, () -> "Prometheus test skipped: " + missing);
    }
}
