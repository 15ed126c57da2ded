package io.websocketrelay.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.websocketrelay.config.RelaySettings;
import io.websocketrelay.launcher.Options;
import io.websocketrelay.launcher.RelayServer;
import io.websocketrelay.launcher.StartupException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each scenario of the load tool, briefly, against a relay in this JVM: nothing lost, duplicated or misrouted. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoadToolIT {

    private static RelayServer server;

    @BeforeAll
    static void start() throws StartupException {
        server = RelayServer.start(Options.of("127.0.0.1", 0, RelaySettings.defaults()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String url() {
        return "ws://127.0.0.1:" + server.port() + "/";
    }

    private static String pid() {
        return Long.toString(ProcessHandle.current().pid());
    }

    private static void assertClean(Report report, String count) {
        assertTrue(report.ok(), report.json());
        assertEquals(0, report.number("err_lost"), report.json());
        assertEquals(0, report.number("err_duplicated"), report.json());
        assertEquals(0, report.number("err_misrouted"), report.json());
        assertTrue(report.number(count) > 0, "no work was done: " + report.json());
    }

    @Test
    void pingpongText() throws Exception {
        Report report = LoadTool.runScenario("pingpong", "--url", url(), "--pairs", "4", "--duration", "0.5",
                "--warmup", "0.2", "--server-pid", pid());
        assertClean(report, "round_trips");
        assertTrue(report.number("lat_p50_us") > 0);
    }

    @Test
    void streamBinaryAndLarge() throws Exception {
        assertClean(LoadTool.runScenario("stream", "--url", url(), "--pairs", "3", "--duration", "0.5", "--warmup",
                "0.2", "--binary", "--size", "16"), "messages");
        assertClean(LoadTool.runScenario("stream", "--url", url(), "--pairs", "2", "--duration", "0.5", "--warmup",
                "0", "--size", "65536"), "messages");
    }

    @Test
    void connectFromTwoSourceAddresses() throws Exception {
        Report report = LoadTool.runScenario("connect", "--url", url(), "--connections", "40", "--per-ip", "50",
                "--concurrency", "8", "--server-pid", pid(), "--hold", "0.2");
        assertClean(report, "pair_per_s");
        assertEquals(2, report.number("source_addresses"));
        assertTrue(report.number("server_rss_waiting_bytes") > 0);
        assertTrue(report.number("server_rss_held_bytes") > 0);
        assertTrue(report.figures().containsKey("server_rss_per_waiting_conn_bytes"));
        assertTrue(report.figures().containsKey("server_rss_per_held_conn_bytes"));
    }

    @Test
    void churnBinary() throws Exception {
        assertClean(LoadTool.runScenario("churn", "--url", url(), "--pairs", "4", "--messages", "5", "--duration",
                "0.5", "--warmup", "0", "--binary", "--size", "100"), "sessions");
    }

    private static void assertRoomClean(Report report) {
        assertClean(report, "deliveries");
        report.figures().forEach((key, value) -> {
            if (key.startsWith("err_")) {
                assertEquals(0L, value, key + " in " + report.json());
            }
        });
        assertEquals(3, report.number("fanout"), report.json());
        assertTrue(report.number("messages_sent") > 0 && report.number("lat_p50_us") > 0, report.json());
        assertTrue(report.number("lat_p50_us") <= report.number("lat_p99_us")
                && report.number("lat_p99_us") <= report.number("lat_max_us"), report.json());
        // over the whole run, with the drain, every message sent reached the 3 others once
        assertTrue(report.number("messages_total") >= report.number("messages_sent"), report.json());
        assertEquals(3 * report.number("messages_total"), report.number("deliveries_total"), report.json());
    }

    @Test
    void roomTextAtARate() throws Exception {
        Report report = LoadTool.runScenario("room", "--url", url(), "--rooms", "3", "--members", "4", "--rate", "20",
                "--duration", "2", "--warmup", "0.3", "--server-pid", pid());
        assertRoomClean(report);
        assertEquals(4, report.number("senders"), report.json());
        // 12 senders at 20 msg/s over 2 s: about 480 messages; a loaded machine may send fewer, never many more
        assertTrue(report.number("messages_sent") > 100 && report.number("messages_sent") < 560, report.json());
    }

    @Test
    void roomBinaryInAWindow() throws Exception {
        Report report = LoadTool.runScenario("room", "--url", url(), "--rooms", "3", "--members", "4", "--window", "8",
                "--binary", "--size", "100", "--duration", "2", "--warmup", "0.3");
        assertRoomClean(report);
        assertEquals(1, report.number("senders"), report.json());
        assertEquals(8, report.number("window"), report.json());
    }

    @Test
    void roomBinaryAtARateAndTextInAWindowWithTwoSenders() throws Exception {
        assertRoomClean(LoadTool.runScenario("room", "--url", url(), "--rooms", "3", "--members", "4", "--rate", "30",
                "--binary", "--duration", "2", "--warmup", "0"));
        assertRoomClean(LoadTool.runScenario("room", "--url", url(), "--rooms", "3", "--members", "4", "--senders", "2",
                "--window", "16", "--duration", "2", "--warmup", "0"));
    }

    /**
     * A client that is not one of the scenario's members joins a full room during the run, sends one intact payload
     * with a tag of no sender and leaves: each of the 4 members counts its {@code /member:open} and its
     * {@code /member:close} as unexpected and its message as misrouted.
     */
    @Test
    void aStrangerInARoomIsCaught() throws Exception {
        String prefix = "stranger-" + Long.toHexString(System.nanoTime());
        CompletableFuture<Report> run = CompletableFuture.supplyAsync(() -> {
            try {
                return LoadTool.runScenario("room", "--url", url(), "--rooms", "1", "--members", "4", "--rate", "20",
                        "--duration", "3", "--warmup", "0.5", "--id-prefix", prefix);
            } catch (IOException | InterruptedException e) {
                throw new CompletionException(e);
            }
        });
        assertTrue(Scenario.until(() -> health().matches("(?s).*\"members\":4\\b.*"), 10_000), health());
        Conn stranger = new Conn(new Errors()).control(text -> { });
        new Clients(url(), 10_000).openRoom(stranger, prefix + "-rm-0");
        CompletableFuture<Boolean> sent = new CompletableFuture<>();
        stranger.send(Payload.timedText(0, 99, System.nanoTime(), 64), result -> sent.complete(result.isOK()));
        assertTrue(sent.get(10, TimeUnit.SECONDS));
        stranger.close();
        Report report = run.get(30, TimeUnit.SECONDS);
        assertFalse(report.ok(), report.json());
        assertEquals(8, report.number("err_unexpected"), report.json());
        assertEquals(4, report.number("err_misrouted"), report.json());
        assertEquals(0, report.number("err_lost") + report.number("err_peer_gone") + report.number("err_corrupt"),
                report.json());
    }

    private static String health() {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/health")).build(), BodyHandlers.ofString());
            return response.body();
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e.toString();
        }
    }

    @Test
    void aRoomPastItsCapacityFailsClearly() {
        IOException e = assertThrows(IOException.class,
                () -> LoadTool.runScenario("room", "--url", url(), "--rooms", "1", "--members", "51", "--duration", "0"));
        assertTrue(e.getMessage().contains("1013 room full"), e.getMessage());
    }

    @Test
    void commandLinePrintsOneLine() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = LoadTool.run(new String[] {"pingpong", "--url", url(), "--pairs", "1", "--duration", "0.2",
            "--warmup", "0", "--json"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String line = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, line + err);
        assertTrue(line.startsWith("{\"scenario\":\"pingpong\"") && line.strip().indexOf('\n') < 0, line);
        assertEquals(2, LoadTool.run(new String[] {"pingpong", "--url", "ws://192.0.2.1/"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
    }
}
