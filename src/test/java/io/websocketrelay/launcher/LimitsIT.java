package io.websocketrelay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.websocketrelay.admission.Tokens;
import io.websocketrelay.config.Key;
import io.websocketrelay.config.RelaySettings;
import io.websocketrelay.core.Protocol;
import io.websocketrelay.testing.Jwts;
import io.websocketrelay.testing.RelayClient;
import io.websocketrelay.testing.WireClient;
import jakarta.websocket.CloseReason;
import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each of the relay's limits, just under and just over its bound, against a launcher configured for it. */
@Timeout(60)
class LimitsIT {

    private RelayServer server;
    private final List<AutoCloseable> opened = new ArrayList<>();

    private void start(Map<Key, String> settings) throws StartupException {
        server = RelayServer.start(Options.of("127.0.0.1", 0, RelaySettings.of(settings)));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable client : opened) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private WireClient raw(String path, Map<String, String> headers) throws IOException {
        WireClient client = WireClient.upgrade("127.0.0.1", server.port(), path, 0, headers);
        opened.add(client);
        return client;
    }

    private RelayClient client(String id) throws IOException {
        RelayClient client = RelayClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/" + id));
        opened.add(client);
        return client;
    }

    private static String newId() {
        return "l-" + UUID.randomUUID();
    }

    /** Reads frames, answering pings when {@code answer} is set, until a close frame or the end of the stream. */
    private static int readUntilClosed(WireClient client, boolean answer, int pingsToAnswer) throws IOException {
        int pings = 0;
        while (true) {
            WireClient.Frame frame;
            try {
                frame = client.read();
            } catch (EOFException e) {
                return 1006;
            }
            if (frame.opcode() == WireClient.CLOSE) {
                return frame.closeCode();
            }
            if (frame.opcode() == WireClient.PING && answer) {
                client.send(true, WireClient.PONG, frame.payload());
                if (++pings == pingsToAnswer) {
                    return -pings;
                }
            }
        }
    }

    @Test
    void clientThatAnswersPingsStaysAndOneThatDoesNotIsClosedAndItsPeerToldAtOnce() throws Exception {
        start(Map.of(RelaySettings.PING_INTERVAL_MS, "500")); // wide enough that a loaded machine still answers in time
        String id = newId();
        WireClient answering = raw("/" + id, Map.of());
        assertEquals("/status:waiting", answering.readText());
        assertEquals(-3, readUntilClosed(answering, true, 3), "three pings answered, still open");
        RelayClient peer = client(id).expect("/status:connected");
        assertEquals("/remote:open", answering.readText());
        assertEquals("/status:connected", answering.readText());
        assertEquals(1001, readUntilClosed(answering, false, 0));
        peer.expect("/remote:close", "/status:waiting");
    }

    @Test
    void idleClientIsClosedWith1001() throws Exception {
        start(Map.of(RelaySettings.PING_INTERVAL_MS, "0", RelaySettings.IDLE_TIMEOUT_MS, "300"));
        RelayClient idle = client(newId()).expect("/status:waiting");
        CloseReason reason = idle.awaitClose();
        assertEquals(1001, reason.getCloseCode().getCode());
        assertTrue(reason.getReasonPhrase().contains("idle"), reason.getReasonPhrase());
    }

    @Test
    void idOfExactlyTheMaximumPassesAndOneByteMoreIsClosedWith1008() throws Exception {
        start(Map.of(RelaySettings.MAX_ID_BYTES, "8"));
        client("abcdefgh").expect("/status:waiting");
        CloseReason reason = client("abcdefghi").awaitClose();
        assertEquals(1008, reason.getCloseCode().getCode());
        assertEquals("id longer than 8 bytes", reason.getReasonPhrase());
        // é is two bytes once decoded (raw sockets: the Tyrus client refuses to connect to such a path)
        assertEquals("/status:waiting", raw("/%C3%A9bcdefg", Map.of()).readText());
        assertEquals(1008, readUntilClosed(raw("/%C3%A9bcdefgh", Map.of()), false, 0));
    }

    @Test
    void idPatternIsEnforced() throws Exception {
        start(Map.of(RelaySettings.ID_PATTERN, "[a-f0-9]{8}"));
        client("0123abcd").expect("/status:waiting");
        CloseReason reason = client("0123abcx").awaitClose();
        assertEquals(1008, reason.getCloseCode().getCode());
        assertTrue(reason.getReasonPhrase().contains("pattern"));
    }

    @Test
    void connectionsOverTheMaximumAreClosedWith1013() throws Exception {
        start(Map.of(RelaySettings.MAX_CONNECTIONS, "3"));
        RelayClient first = client(newId()).expect("/status:waiting");
        client(newId()).expect("/status:waiting");
        client(newId()).expect("/status:waiting");
        assertEquals(1013, client(newId()).awaitClose().getCloseCode().getCode());
        first.close();
        first.awaitClose();
        waitFor(() -> server.registry().connections() == 2);
        client(newId()).expect("/status:waiting");
    }

    @Test
    void connectionsPerAddressOverTheMaximumGet503UntilOneCloses() throws Exception {
        start(Map.of(RelaySettings.MAX_CONNECTIONS_PER_ADDRESS, "2"));
        WireClient first = raw("/" + newId(), Map.of());
        assertEquals(101, first.status());
        assertEquals(101, raw("/" + newId(), Map.of()).status());
        assertEquals(503, raw("/" + newId(), Map.of()).status());
        first.close();
        waitFor(() -> {
            try (WireClient again = WireClient.upgrade("127.0.0.1", server.port(), "/" + newId(), 0)) {
                return again.status() == 101;
            }
        });
    }

    @Test
    void newConnectionsPerSecondPerAddressOverTheRateGet429() throws Exception {
        start(Map.of(RelaySettings.CONNECTIONS_PER_SECOND_PER_ADDRESS, "3"));
        long start = System.nanoTime();
        int admitted = 0;
        int status = 101;
        while (status == 101 && admitted < 10) {
            status = raw("/" + newId(), Map.of()).status();
            if (status == 101) {
                admitted++;
            }
        }
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(429, status);
        // three come from the burst; one more may have been refilled if the machine was slow
        assertTrue(admitted >= 3 && admitted <= 3 + elapsedMillis * 3 / 1000 + 1,
                admitted + " admitted in " + elapsedMillis + " ms");
    }

    @Test
    void originsOutsideTheListGet403() throws Exception {
        start(Map.of(RelaySettings.ALLOWED_ORIGINS, "https://ok.example"));
        assertEquals(101, raw("/" + newId(), Map.of("Origin", "https://ok.example")).status());
        assertEquals(403, raw("/" + newId(), Map.of("Origin", "https://evil.example")).status());
        assertEquals(403, raw("/" + newId(), Map.of()).status());
        assertTrue(metrics().contains("websocket_relay_handshakes_refused_total{reason=\"origin\"} 2"));
    }

    @Test
    void tokenIsRequiredByQueryOrSubprotocol() throws Exception {
        start(Map.of(RelaySettings.TOKEN, "s3cret", RelaySettings.JWT_HMAC_KEY, Jwts.HMAC_KEY));
        String id = newId();
        assertEquals(401, raw("/" + id, Map.of()).status());
        assertEquals(403, raw("/" + id + "?token=wrong", Map.of()).status());
        WireClient byQuery = raw("/" + id + "?token=s3cret", Map.of());
        assertEquals(101, byQuery.status());
        assertEquals("/status:waiting", byQuery.readText());
        WireClient bySubprotocol = raw("/" + id, Map.of("Sec-WebSocket-Protocol", "chat, token.s3cret"));
        assertEquals(101, bySubprotocol.status());
        assertEquals("token.s3cret", bySubprotocol.header("sec-websocket-protocol"));
        assertEquals("/status:connected", bySubprotocol.readText());
        String jwt = Jwts.pair(id, System.currentTimeMillis(), 60).sign(Jwts.hs256(Jwts.HMAC_KEY));
        assertEquals(101, raw("/" + id + "?token=" + URLEncoder.encode(jwt, StandardCharsets.UTF_8), Map.of())
                .status());
        assertEquals(403, raw("/" + newId() + "?token=" + jwt, Map.of()).status(), "a JWT for another id");
    }

    @Test
    void messagesOverTheRateCloseTheSenderWith1008() throws Exception {
        start(Map.of(RelaySettings.MESSAGES_PER_SECOND, "5"));
        String id = newId();
        RelayClient a = client(id).expect("/status:waiting");
        RelayClient b = client(id).expect("/status:connected");
        a.expect("/remote:open", "/status:connected");
        for (int i = 0; i < 5; i++) {
            b.send("m" + i);
        }
        for (int i = 0; i < 5; i++) {
            assertEquals("m" + i, a.nextText());
        }
        // one message at a time, each sent only when the last one has arrived: the sender is never mid-write when
        // the relay closes it (a slow machine may refill a token between two sends, so a few may still pass)
        String next = null;
        for (int i = 0; i < 20 && !"/remote:close".equals(next); i++) {
            b.send("over");
            next = a.nextText();
            assertTrue(next.equals("over") || next.equals("/remote:close"), next);
        }
        assertEquals("/remote:close", next, "20 messages passed a limit of 5 per second");
        CloseReason reason = b.awaitClose();
        assertEquals(1008, reason.getCloseCode().getCode());
        assertTrue(reason.getReasonPhrase().startsWith("rate limit"), reason.getReasonPhrase());
    }

    @Test
    void bytesOverTheRateCloseTheSenderWith1008() throws Exception {
        start(Map.of(RelaySettings.BYTES_PER_SECOND, "1000"));
        RelayClient a = client(newId()).expect("/status:waiting");
        a.send(new byte[1000]);
        a.expect("/error:0002:The binary message was not received by anyone.:1000 bytes");
        try {
            a.send(new byte[100]);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the relay's close came in while Tyrus was finishing this send: it then throws (as in the contract's
            // too-big tests); the close below says why it came
        }
        CloseReason reason = a.awaitClose();
        assertEquals(1008, reason.getCloseCode().getCode());
        assertEquals("rate limit: more than 1000 bytes per second", reason.getReasonPhrase());
    }

    @Test
    void connectionThatDoesNotUpgradeInTimeIsClosed() throws Exception {
        start(Map.of(RelaySettings.HANDSHAKE_TIMEOUT_MS, "300"));
        try (java.net.Socket slow = new java.net.Socket("127.0.0.1", server.port())) {
            slow.setSoTimeout((int) RelayClient.TIMEOUT.toMillis());
            slow.getOutputStream().write("GET /half".getBytes(StandardCharsets.US_ASCII));
            assertEquals(-1, slow.getInputStream().read(), "closed without an answer");
        }
        WireClient upgraded = raw("/" + newId(), Map.of());
        assertEquals("/status:waiting", upgraded.readText());
        String metrics = metrics();
        assertTrue(metrics.matches("(?s).*websocket_relay_handshakes_refused_total\\{reason=\"timeout\"} [1-9].*"),
                metrics);
    }

    private String metrics() throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var request = java.net.http.HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build();
        return http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Waits, bounded, until a condition holds. */
    private static void waitFor(Check check) throws Exception {
        long deadline = System.nanoTime() + RelayClient.TIMEOUT.toNanos();
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + RelayClient.TIMEOUT);
            }
            Thread.onSpinWait();
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws Exception;
    }
}
