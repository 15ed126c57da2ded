package io.websocketrelay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.websocketrelay.config.RelaySettings;
import io.websocketrelay.testing.Footprint;
import io.websocketrelay.testing.RelayClient;
import io.websocketrelay.testing.WireClient.End;
import io.websocketrelay.testing.WireClient.Outcome;
import io.websocketrelay.testing.WireClient.Response;
import io.websocketrelay.testing.WireClient;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input against the standalone launcher (issue 4, "Tests"): broken handshakes, frames that break RFC 6455, an
 * enormous announced frame, a stalled reader, slowloris half-handshakes and connection churn. Each case asserts what
 * the server answered; after each, {@link #afterEachCase} checks that a fresh pair still pairs and relays, that the
 * relay holds no connection of the case, and that the heap is back near where it was before the case.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class BadInputIT {

    private static final String HOST = "127.0.0.1";
    /** How long the server gets to answer one bad input. */
    private static final Duration ANSWER = Duration.ofSeconds(5);
    /**
     * How far the settled heap may be above its baseline after a case. The relay and the test share this JVM: the
     * test's tyrus clients start and stop Grizzly transports and worker threads per connection, whose buffers and
     * thread-locals are freed a little later, and Grizzly's pooled memory grows per worker thread that has read. A
     * few MB of that is noise (measured: under 1 MB per case); a leaked session with its buffers per case, or a
     * buffered huge frame (the enormous-frame cases push 8 MB at the server), is not.
     */
    private static final long HEAP_TOLERANCE_BYTES = 4L * 1024 * 1024;

    private static RelayServer server;
    private static final List<LogRecord> LOGGED = new CopyOnWriteArrayList<>();
    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                LOGGED.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private final List<AutoCloseable> opened = new ArrayList<>();
    private long heapBefore;
    private String caseName;

    @BeforeAll
    static void start() throws Exception {
        server = RelayServer.start(Options.of(HOST, 0, RelaySettings.defaults()));
        Logger.getLogger("").addHandler(CAPTURE);
        // warm up: load and compile what every case uses, and let the pools grow, before the first baseline
        for (int i = 0; i < 10; i++) {
            assertRelayStillWorks();
        }
        try (WireClient client = WireClient.upgraded(HOST, server.port(), "/" + newId(), 0)) {
            client.readText();
            client.send(true, WireClient.CLOSE, WireClient.closePayload(1000, ""));
            client.awaitEnd(ANSWER);
        }
        assertTrue(Footprint.await(() -> server.registry().connections() == 0, ANSWER));
    }

    @AfterAll
    static void stop() {
        Logger.getLogger("").removeHandler(CAPTURE);
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void baseline(TestInfo info) {
        caseName = info.getDisplayName();
        assertTrue(Footprint.await(() -> server.registry().connections() == 0, ANSWER), "connections before");
        heapBefore = Footprint.settledHeapBytes();
        LOGGED.clear();
    }

    @AfterEach
    void afterEachCase() throws Exception {
        for (AutoCloseable client : opened) {
            client.close();
        }
        opened.clear();
        assertNoConnectionsLeft("after the case");
        assertRelayStillWorks();
        assertNoConnectionsLeft("after the fresh pair");
        long heapAfter = Footprint.settledHeapBytes();
        long growth = heapAfter - heapBefore;
        System.out.printf("[bad-input] %-60s heap %s -> %s (%+d KB), warnings logged: %d%n", caseName,
                Footprint.mb(heapBefore), Footprint.mb(heapAfter), growth / 1024, LOGGED.size());
        for (LogRecord record : LOGGED) {
            System.out.printf("[bad-input]     %s %s: %s %s%n", record.getLevel(), record.getLoggerName(),
                    record.getMessage(), record.getThrown() == null ? "" : record.getThrown());
        }
        assertTrue(growth <= HEAP_TOLERANCE_BYTES, "heap grew by " + Footprint.mb(growth) + " in " + caseName
                + ": " + Footprint.mb(heapBefore) + " -> " + Footprint.mb(heapAfter));
    }

    private static void assertNoConnectionsLeft(String when) {
        boolean gone = Footprint.await(() -> server.registry().connections() == 0
                && server.pairs().waiting() == 0, ANSWER);
        assertTrue(gone, "the relay still holds " + server.registry().connections() + " connections and "
                + server.pairs().waiting() + " waiting slots " + when);
    }

    /** A fresh pair on a new id pairs and relays both ways, then leaves. */
    static void assertRelayStillWorks() throws IOException {
        String id = newId();
        URI uri = URI.create("ws://" + HOST + ":" + server.port() + "/" + id);
        try (RelayClient a = RelayClient.connect(uri)) {
            a.expect("/status:waiting");
            try (RelayClient b = RelayClient.connect(uri)) {
                b.expect("/status:connected");
                a.expect("/remote:open", "/status:connected");
                a.send("ping " + id);
                assertEquals("ping " + id, b.nextText());
                b.send(id.getBytes(StandardCharsets.US_ASCII));
                assertEquals(id, new String(a.nextBinary(), StandardCharsets.US_ASCII));
            }
        }
    }

    private static String newId() {
        return "bad-" + UUID.randomUUID();
    }

    private <T extends AutoCloseable> T track(T client) {
        opened.add(client);
        return client;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // handshakes

    /** Sends a request head as it is and reads the answer; also reports whether the server then ended TCP. */
    private Response handshake(String head) throws IOException {
        WireClient client = track(WireClient.connect(HOST, server.port(), 0));
        try {
            client.write(head);
        } catch (IOException e) {
            // a long head: the server may answer and close before all of it is written; its answer is still read
            System.out.printf("[bad-input] %s: writing the head failed: %s%n", caseName, e);
        }
        Response response = client.readResponse(ANSWER);
        System.out.printf("[bad-input] %s: %s %s%n", caseName, response, response.headers());
        return response;
    }

    private String validHead(String path) {
        return WireClient.upgradeHead(HOST, server.port(), path);
    }

    @Test
    void upgradeWithoutUpgradeHeaderIsNotAWebSocket() throws IOException {
        // without Upgrade it is a plain GET of /<id>, which is no page: 404 (the relay's HTTP pages), no upgrade
        String head = validHead("/" + newId()).replace("Upgrade: websocket\r\n", "");
        Response response = handshake(head);
        assertEquals(404, response.status(), response.toString());
    }

    @Test
    void wrongVersionGets426WithTheSupportedVersion() throws IOException {
        String head = validHead("/" + newId()).replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8");
        Response response = handshake(head);
        assertEquals(426, response.status(), response.toString());
        assertEquals("13", response.headers().get("sec-websocket-version"), response.headers().toString());
    }

    @Test
    void missingKeyGets400() throws IOException {
        String head = validHead("/" + newId()).replaceAll("Sec-WebSocket-Key: [^\r]*\r\n", "");
        Response response = handshake(head);
        assertEquals(400, response.status(), response.toString());
    }

    @Test
    void keyThatIsNotSixteenBytesGets400() throws IOException {
        String head = validHead("/" + newId()).replaceAll("Sec-WebSocket-Key: [^\r]*\r\n", "Sec-WebSocket-Key: c2hvcnQ=\r\n");
        Response response = handshake(head);
        assertEquals(400, response.status(), response.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "HEAD", "get"})
    void upgradeThatIsNotAGetGets405AndNoWebSocket(String method) throws IOException {
        // RFC 6455 4.1: the opening handshake is a GET; every upgrade header is valid here, and the body is empty
        String head = validHead("/" + newId()).replaceFirst("^GET ", method + " ")
                .replace("\r\n\r\n", "\r\nContent-Length: 0\r\n\r\n");
        Response response = handshake(head);
        assertEquals(405, response.status(), response.toString());
        assertEquals("GET", response.headers().get("allow"), response.headers().toString());
        assertEquals(0, server.registry().connections(), "no relay connection was opened");
        assertEndsConnection();
    }

    @Test
    void garbageRequestLineIsRefusedAndDropped() throws IOException {
        // Grizzly reads the third word as the protocol and answers 505 with Connection: close: a legitimate refusal
        Response response = handshake("\u0001\u0002 garbage \u00ff\u00fe\r\n\r\n");
        assertTrue(response.status() == 400 || response.status() == 505 || response.status() == -1,
                response.toString());
        assertEndsConnection();
    }

    @Test
    void oversizedRequestLineIsRefused() throws IOException {
        Response response = handshake(validHead("/" + "x".repeat(100_000)));
        assertTrue(response.status() == 414 || response.status() == 400 || response.status() == -1,
                response.toString());
        assertEndsConnection();
    }

    @Test
    void oversizedHeadersAreRefused() throws IOException {
        StringBuilder junk = new StringBuilder();
        for (int i = 0; i < 2_000; i++) {
            junk.append("X-Junk-").append(i).append(": ").append("y".repeat(100)).append("\r\n");
        }
        Response response = handshake(validHead("/" + newId()).replace("\r\n\r\n", "\r\n" + junk + "\r\n"));
        assertTrue(response.status() == 431 || response.status() == 400 || response.status() == -1,
                response.toString());
        assertEndsConnection();
    }

    /** The last connection of the case must be ended by the server. */
    private void assertEndsConnection() throws IOException {
        WireClient client = (WireClient) opened.get(opened.size() - 1);
        Outcome outcome = client.awaitEnd(ANSWER);
        System.out.printf("[bad-input] %s: after the answer: %s%n", caseName, outcome);
        assertNotEquals(End.STILL_OPEN, outcome.end(), "the server kept the connection open: " + outcome);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // frames

    /** A raw client paired with a tyrus client; the raw one sends the bad frames. */
    private record Pair(WireClient raw, RelayClient peer) {
    }

    private Pair pair() throws IOException {
        String id = newId();
        WireClient raw = track(WireClient.upgraded(HOST, server.port(), "/" + id, 0));
        assertEquals("/status:waiting", raw.readText());
        RelayClient peer = track(RelayClient.connect(URI.create("ws://" + HOST + ":" + server.port() + "/" + id)));
        peer.expect("/status:connected");
        assertEquals("/remote:open", raw.readText());
        assertEquals("/status:connected", raw.readText());
        return new Pair(raw, peer);
    }

    /**
     * Sends {@code bytes} from the raw side of a fresh pair and asserts the server closed it with {@code code}, ended
     * TCP, and told the peer.
     */
    private Outcome assertClosedWith(int code, byte[]... bytes) throws IOException {
        Pair pair = pair();
        for (byte[] chunk : bytes) {
            pair.raw().write(chunk);
        }
        Outcome outcome = pair.raw().awaitEnd(ANSWER);
        System.out.printf("[bad-input] %s: %s%n", caseName, outcome);
        assertEquals(code, outcome.closeCode(), "close code, " + outcome);
        assertNotEquals(End.STILL_OPEN, outcome.end(), "the server kept TCP open: " + outcome);
        pair.peer().expect("/remote:close", "/status:waiting");
        return outcome;
    }

    /**
     * RFC 6455 5.1: the server MUST close the connection on an unmasked client frame. Measured on Tyrus 2.2.2: no
     * close, the connection stays open and the frame is relayed to the peer as if masked (finding, see the report).
     */
    @Test
    void unmaskedFrameIsAProtocolError() throws IOException {
        assertClosedWith(1002, WireClient.frame(0x80 | WireClient.TEXT, false, 5, "hello".getBytes()));
    }

    @ParameterizedTest(name = "reserved opcode {0}")
    @ValueSource(ints = {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF})
    void reservedOpcodeIsAProtocolError(int opcode) throws IOException {
        assertClosedWith(1002, WireClient.frame(true, opcode, "x".getBytes()));
    }

    @ParameterizedTest(name = "RSV bits {0}")
    @ValueSource(ints = {0x40, 0x20, 0x10, 0x70})
    void rsvBitsWithoutAnExtensionAreAProtocolError(int rsv) throws IOException {
        assertClosedWith(1002, WireClient.frame(0x80 | rsv | WireClient.TEXT, true, 2, "hi".getBytes()));
    }

    @Test
    void pingOver125BytesIsAProtocolError() throws IOException {
        assertClosedWith(1002, WireClient.frame(true, WireClient.PING, new byte[126]));
    }

    @Test
    void closeOver125BytesIsAProtocolError() throws IOException {
        byte[] payload = WireClient.closePayload(1000, "r".repeat(130));
        assertClosedWith(1002, WireClient.frame(true, WireClient.CLOSE, payload));
    }

    @Test
    void fragmentedPingIsAProtocolError() throws IOException {
        assertClosedWith(1002, WireClient.frame(false, WireClient.PING, "a".getBytes()),
                WireClient.frame(true, WireClient.CONTINUATION, "b".getBytes()));
    }

    @Test
    void strayContinuationIsAProtocolError() throws IOException {
        assertClosedWith(1002, WireClient.frame(true, WireClient.CONTINUATION, "stray".getBytes()));
    }

    @Test
    void newDataFrameInsideAFragmentedMessageIsAProtocolError() throws IOException {
        assertClosedWith(1002, WireClient.frame(false, WireClient.TEXT, "first ".getBytes()),
                WireClient.frame(true, WireClient.TEXT, "second".getBytes()));
    }

    @Test
    void invalidUtf8TextIsInvalidPayload() throws IOException {
        byte[] bad = {'o', 'k', (byte) 0xc3, (byte) 0x28, (byte) 0xff};
        assertClosedWith(1007, WireClient.frame(true, WireClient.TEXT, bad));
    }

    @Test
    void invalidUtf8SplitAcrossFragmentsIsInvalidPayload() throws IOException {
        // the first fragment ends inside a 3-byte sequence (E2 82); the next byte must be a continuation, 0x41 is not
        assertClosedWith(1007, WireClient.frame(false, WireClient.TEXT, new byte[] {'a', (byte) 0xe2, (byte) 0x82}),
                WireClient.frame(true, WireClient.CONTINUATION, new byte[] {0x41, 'b'}));
    }

    @Test
    void surrogateEncodedInUtf8IsInvalidPayload() throws IOException {
        assertClosedWith(1007, WireClient.frame(true, WireClient.TEXT, new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}));
    }

    @ParameterizedTest(name = "close code {0}")
    @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1015, 5000})
    void closeWithAnInvalidCodeIsAProtocolError(int code) throws IOException {
        assertClosedWith(1002, WireClient.frame(true, WireClient.CLOSE, WireClient.closePayload(code, "bad")));
    }

    @Test
    void closeWithAOneBytePayloadIsAProtocolError() throws IOException {
        assertClosedWith(1002, WireClient.frame(true, WireClient.CLOSE, new byte[] {3}));
    }

    @ParameterizedTest(name = "close code {0}")
    @ValueSource(ints = {1000, 1001, 3000, 4999})
    void closeWithAValidCodeIsEchoed(int code) throws IOException {
        assertClosedWith(code, WireClient.frame(true, WireClient.CLOSE, WireClient.closePayload(code, "bye")));
    }

    /**
     * RFC 6455 5.2: the most significant bit of a 64-bit length MUST be 0. Measured on Tyrus 2.2.2: the peer is sent
     * an empty binary message, then the following bytes are parsed as frames and only those fail with 1002 (finding).
     */
    @Test
    void lengthWithTheMostSignificantBitSetIsAProtocolError() throws IOException {
        byte[] header = WireClient.frame(0x80 | WireClient.BINARY, true, Long.MIN_VALUE, new byte[0]);
        assertClosedWith(1002, header, new byte[16]);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // an enormous announced payload

    /**
     * Announces a frame of {@code length} bytes, then sends the payload as told, then pushes payload bytes fast: the
     * relay must not spin while it waits, must not buffer more than its incoming buffer, and must close with 1009.
     */
    private void enormousFrame(long length, int trickleBytes) throws Exception {
        Pair pair = pair();
        WireClient raw = pair.raw();
        raw.write(WireClient.frame(0x80 | WireClient.BINARY, true, length, new byte[0]));
        long cpuBefore = Footprint.processCpuNanos();
        long start = System.nanoTime();
        try {
            for (int i = 0; i < trickleBytes; i++) {
                raw.write(new byte[] {(byte) i});
                // the pause is what is tested: a trickle of one byte every 20 ms
                Thread.sleep(20);
            }
        } catch (IOException e) {
            System.out.printf("[bad-input] %s: the relay closed while the payload trickled: %s%n", caseName, e);
        }
        Outcome quiet = raw.awaitEnd(Duration.ofMillis(trickleBytes > 0 ? 200 : 2_000));
        long window = System.nanoTime() - start;
        long cpu = Footprint.processCpuNanos() - cpuBefore;
        System.out.printf("[bad-input] %s: %d ms waiting for the payload (%d bytes trickled): %s; process CPU %d ms%n",
                caseName, window / 1_000_000, trickleBytes, quiet, cpu / 1_000_000);
        if (quiet.end() != End.STILL_OPEN) {
            // refused as soon as the header announced it: nothing was awaited, so there is no window to spin in
            assertEquals(1009, quiet.closeCode(), quiet.toString());
            pair.peer().expect("/remote:close", "/status:waiting");
            return;
        }
        // a spinning thread would use about the whole window; the test itself and the collector use a little
        assertTrue(cpu < window / 4, "the process used " + cpu / 1_000_000 + " ms CPU in " + window / 1_000_000
                + " ms while one frame's payload was awaited");
        long heap = Footprint.settledHeapBytes() - heapBefore;
        System.out.printf("[bad-input] %s: heap while waiting %+d KB%n", caseName, heap / 1024);
        byte[] chunk = new byte[64 * 1024];
        long pushed = 0;
        try {
            // bounded: 8 MB is twice the relay's incoming buffer (4 MB); it must give up before then
            while (pushed < 8L * 1024 * 1024) {
                raw.write(chunk);
                pushed += chunk.length;
            }
        } catch (IOException e) {
            System.out.printf("[bad-input] %s: writing failed after %d KB: %s%n", caseName, pushed / 1024, e);
        }
        Outcome outcome = raw.awaitEnd(ANSWER);
        System.out.printf("[bad-input] %s: after pushing %d KB of payload: %s%n", caseName, pushed / 1024, outcome);
        pair.peer().expect("/remote:close", "/status:waiting");
        assertNotEquals(End.STILL_OPEN, outcome.end(), outcome.toString());
        // the README: a message over the limit closes its sender with 1009 (measured on Tyrus 2.2.2: 1011, a finding)
        assertEquals(1009, outcome.closeCode(), outcome.toString());
    }

    @Test
    void frameAnnouncingTwoToThe63MinusOneBytesThenSilence() throws Exception {
        enormousFrame(Long.MAX_VALUE, 0);
    }

    @Test
    void frameAnnouncingOneGibibyteThenATrickle() throws Exception {
        enormousFrame(1L << 30, 100);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // a stalled reader, slowloris, churn

    @Test
    void stalledReaderIsClosedAndItsPeerMatchedAgain() throws IOException {
        String id = newId();
        WireClient stalled = track(WireClient.upgraded(HOST, server.port(), "/" + id, 4096));
        assertEquals("/status:waiting", stalled.readText());
        RelayClient sender = track(RelayClient.connect(URI.create("ws://" + HOST + ":" + server.port() + "/" + id)));
        sender.expect("/status:connected");
        assertEquals("/remote:open", stalled.readText());
        assertEquals("/status:connected", stalled.readText());
        byte[] chunk = new byte[64 * 1024];
        int sent = 0;
        RelayClient.Event event = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        // bounded by count and time: the send buffer is 1 MB, so a relay that buffers is caught long before 26 MB
        while (sent < 400 && event == null && System.nanoTime() < deadline) {
            sender.send(chunk);
            sent++;
            event = sender.poll();
        }
        System.out.printf("[bad-input] %s: dropped after %d messages of 64 KB; queue high-water mark %d bytes%n",
                caseName, sent, server.stats().sendQueueHighWaterMark());
        assertEquals(new RelayClient.Text("/remote:close"), event, "after " + sent + " messages");
        sender.expect("/status:waiting");
        assertTrue(server.stats().sendQueueHighWaterMark() <= server.settings().sendBufferBytes());
        Outcome outcome = stalled.awaitEnd(ANSWER);
        System.out.printf("[bad-input] %s: the stalled reader, draining: %d frames, %s%n", caseName,
                outcome.frames().size(), outcome);
        assertNotEquals(End.STILL_OPEN, outcome.end(), outcome.toString());
        assertEquals(1008, outcome.closeCode(), "the stalled reader's close, once it drained its queue: " + outcome);
    }

    @Test
    void slowlorisHalfHandshakesDoNotStopTheRelay() throws Exception {
        int count = 200;
        List<WireClient> slow = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            WireClient client = track(WireClient.connect(HOST, server.port(), 0));
            client.write("GET /slow");
            slow.add(client);
        }
        // the Java threads' CPU (the relay's and the test's), not the process's: the JIT compiler and the collector,
        // still busy with the tests before on a loaded machine, are not the relay spinning on half-handshakes
        long cpuBefore = Footprint.threadsCpuNanos();
        long start = System.nanoTime();
        int written = 0;
        for (int round = 0; round < 12; round++) {
            for (WireClient client : slow) {
                client.write("x");
                written++;
            }
            // the pause is what is tested: each connection sends one byte of its request line every 250 ms
            Thread.sleep(250);
        }
        long window = System.nanoTime() - start;
        long cpu = Footprint.threadsCpuNanos() - cpuBefore;
        assertRelayStillWorks();
        int ended = 0;
        for (WireClient client : slow) {
            if (client.isEndedWithin(Duration.ofMillis(1))) {
                ended++;
            }
        }
        System.out.printf("[bad-input] %s: %d half-handshakes, %d bytes over %d ms, Java threads' CPU %d ms;"
                + " the server ended %d of them%n", caseName, count, written, window / 1_000_000, cpu / 1_000_000, ended);
        assertTrue(cpu < window / 2, "CPU " + cpu / 1_000_000 + " ms in " + window / 1_000_000 + " ms");
        assertEquals(0, server.registry().connections(), "a half-handshake became a session");
    }

    @Test
    void connectionChurnLeavesNothingBehind() throws IOException {
        int cycles = 500;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int done = 0;
        long start = System.nanoTime();
        while (done < cycles && System.nanoTime() < deadline) {
            try (WireClient client = WireClient.upgraded(HOST, server.port(), "/" + newId(), 0)) {
                assertEquals("/status:waiting", client.readText());
                switch (done % 3) {
                    case 0 -> {
                        client.send(true, WireClient.CLOSE, WireClient.closePayload(1000, ""));
                        assertEquals(1000, client.awaitEnd(ANSWER).closeCode());
                    }
                    case 1 -> client.reset();
                    default -> {
                        // closed without a close frame by try-with-resources
                    }
                }
            }
            done++;
        }
        System.out.printf("[bad-input] %s: %d connect/close cycles in %d ms%n", caseName, done,
                (System.nanoTime() - start) / 1_000_000);
        assertEquals(cycles, done, "cycles done in 30 s");
    }
}
