package io.websocketrelay.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.websocket.CloseReason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every deployment of the relay must do, written once: each target (the standalone launcher, the WAR on an
 * application server) extends this class and says where the relay is.
 */
@Timeout(60)
public abstract class RelayContract implements RoomContract {

    private final List<AutoCloseable> opened = new CopyOnWriteArrayList<>();

    /** @return the host clients connect to, a loopback address */
    protected abstract String host();

    /** @return the port of the relay */
    protected abstract int port();

    /** @return the path before the id, {@code ""} or e.g. {@code /relay} */
    protected String prefix() {
        return "";
    }

    /** @return the relay's configured largest message, in bytes */
    protected int maxMessageBytes() {
        return 65_536;
    }

    /** @return a fresh id, so that tests never meet each other's clients */
    protected static String newId() {
        return "t-" + UUID.randomUUID();
    }

    protected URI uri(String rawId) {
        return URI.create("ws://" + host() + ":" + port() + prefix() + "/" + rawId);
    }

    protected RelayClient connect(String rawId) throws IOException {
        RelayClient client = RelayClient.connect(uri(rawId));
        opened.add(client);
        return client;
    }

    protected WireClient raw(String rawId, int receiveBuffer) throws IOException {
        WireClient client = WireClient.upgrade(host(), port(), prefix() + "/" + rawId, receiveBuffer);
        opened.add(client);
        return client;
    }

    @Override
    public RelayClient joinRoom(String rawRoomId) throws IOException {
        return connect("room/" + rawRoomId);
    }

    @Override
    public WireClient rawRoom(String rawRoomId, int receiveBuffer) throws IOException {
        return raw("room/" + rawRoomId, receiveBuffer);
    }

    @Override
    public WireClient rawUpgrade(String path) throws IOException {
        WireClient client = WireClient.upgrade(host(), port(), prefix() + path, 0);
        opened.add(client);
        return client;
    }

    @Override
    public int messageLimit() {
        return maxMessageBytes();
    }

    /** Connects two clients on a new id and checks the whole pairing sequence; the first is the one that waited. */
    protected RelayClient[] pair() throws IOException {
        String id = newId();
        RelayClient a = connect(id).expect("/status:waiting");
        RelayClient b = connect(id).expect("/status:connected");
        a.expect("/remote:open", "/status:connected");
        return new RelayClient[] {a, b};
    }

    @AfterEach
    void closeClients() throws Exception {
        for (AutoCloseable client : opened) {
            client.close();
        }
        opened.clear();
    }

    @Test
    void firstClientWaitsSecondPairsAndOnlyTheWaiterHearsRemoteOpen() throws IOException {
        RelayClient[] pair = pair();
        pair[1].send("probe");
        assertEquals("probe", pair[0].nextText(), "the joiner got nothing but /status:connected before data");
    }

    @Test
    void relayedMessagesKeepTheirFrameTypeAndBytesOnTheWire() throws IOException {
        String id = newId();
        WireClient a = raw(id, 0);
        assertEquals("/status:waiting", a.readText());
        WireClient b = raw(id, 0);
        assertEquals("/status:connected", b.readText());
        assertEquals("/remote:open", a.readText());
        assertEquals("/status:connected", a.readText());
        // one-, two-, three- and four-byte UTF-8, half the size limit: the launcher relabels the frame of a binary
        // send as text, and this is what a client must see of it
        String text = "héllo ✓ \uD83D\uDE42 " + "ü".repeat(maxMessageBytes() / 4);
        byte[] binary = new byte[maxMessageBytes() / 2];
        new Random(7).nextBytes(binary);
        a.sendText(text);
        a.send(true, WireClient.BINARY, binary);
        a.send(false, WireClient.TEXT, "frag".getBytes(StandardCharsets.UTF_8));
        a.send(true, 0x0, "ment ✓".getBytes(StandardCharsets.UTF_8));
        b.sendText("back");
        WireClient.Frame first = message(b);
        assertEquals(WireClient.TEXT, first.opcode());
        assertEquals(text, first.text());
        WireClient.Frame second = message(b);
        assertEquals(WireClient.BINARY, second.opcode());
        assertArrayEquals(binary, second.payload());
        WireClient.Frame third = message(b);
        assertEquals(WireClient.TEXT, third.opcode());
        assertEquals("fragment ✓", third.text());
        WireClient.Frame back = message(a);
        assertEquals(WireClient.TEXT, back.opcode());
        assertEquals("back", back.text());
    }

    /** @return the next data message, its fragments joined, with the opcode of its first frame; pings are skipped */
    private static WireClient.Frame message(WireClient client) throws IOException {
        WireClient.Frame frame = client.read();
        while (frame.opcode() == WireClient.PING) {
            frame = client.read();
        }
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        payload.writeBytes(frame.payload());
        int opcode = frame.opcode();
        boolean fin = frame.fin();
        while (!fin) {
            frame = client.read();
            if (frame.opcode() != WireClient.PING) {
                assertEquals(0x0, frame.opcode(), "a continuation frame");
                payload.writeBytes(frame.payload());
                fin = frame.fin();
            }
        }
        return new WireClient.Frame(opcode, true, 0, payload.toByteArray());
    }

    @Test
    void oneIdIsASlotForSeparatePairs() throws IOException {
        String id = newId();
        RelayClient a = connect(id).expect("/status:waiting");
        RelayClient b = connect(id).expect("/status:connected");
        a.expect("/remote:open", "/status:connected");
        RelayClient c = connect(id).expect("/status:waiting");
        RelayClient d = connect(id).expect("/status:connected");
        c.expect("/remote:open", "/status:connected");
        a.send("a to b");
        c.send("c to d");
        assertEquals("a to b", b.nextText());
        assertEquals("c to d", d.nextText());
        d.send("d to c");
        b.send("b to a");
        assertEquals("d to c", c.nextText());
        assertEquals("b to a", a.nextText());
    }

    @Test
    void survivorWaitsAgainWhenItsPeerLeaves() throws IOException {
        RelayClient[] pair = pair();
        pair[1].close();
        pair[0].expect("/remote:close", "/status:waiting");
        RelayClient c = connect(idOf(pair[0])).expect("/status:connected");
        pair[0].expect("/remote:open", "/status:connected");
        c.send("new peer");
        assertEquals("new peer", pair[0].nextText());
    }

    @Test
    void survivorIsMatchedWithTheWaiter() throws IOException {
        String id = newId();
        RelayClient a = connect(id).expect("/status:waiting");
        RelayClient b = connect(id).expect("/status:connected");
        a.expect("/remote:open", "/status:connected");
        RelayClient c = connect(id).expect("/status:waiting");
        b.close();
        a.expect("/remote:close", "/status:connected");
        c.expect("/remote:open", "/status:connected");
        a.send("a to c");
        assertEquals("a to c", c.nextText());
        c.send("c to a");
        assertEquals("c to a", a.nextText());
    }

    @Test
    void waiterThatLeavesEmptiesTheSlot() throws IOException {
        String id = newId();
        RelayClient a = connect(id).expect("/status:waiting");
        a.close();
        assertEquals(CloseReason.CloseCodes.NORMAL_CLOSURE, a.awaitClose().getCloseCode());
        RelayClient b = eventuallyWaiting(id);
        RelayClient c = connect(id).expect("/status:connected");
        b.expect("/remote:open", "/status:connected");
        c.send("fine");
        assertEquals("fine", b.nextText());
    }

    @Test
    void textIsRelayedVerbatimBothWays() throws IOException {
        RelayClient[] pair = pair();
        String[] texts = {"hello", "", "héllo wörld ✓ 🙂", " spaced ", "line\nbreak", "{\"type\":\"offer\"}"};
        for (String text : texts) {
            pair[0].send(text);
            assertEquals(text, pair[1].nextText());
            pair[1].send(text);
            assertEquals(text, pair[0].nextText());
        }
    }

    @Test
    void binaryIsRelayedNotEchoed() throws IOException {
        RelayClient[] pair = pair();
        byte[] data = {0, 1, 2, (byte) 0xff, (byte) 0x80, 10, 13};
        pair[0].send(data);
        assertArrayEquals(data, pair[1].nextBinary());
        pair[0].send(new byte[0]);
        assertArrayEquals(new byte[0], pair[1].nextBinary());
        pair[1].send("after binary");
        assertEquals("after binary", pair[0].nextText(), "the sender got its binary back");
    }

    @Test
    void controlLookingTextIsJustData() throws IOException {
        RelayClient[] pair = pair();
        for (String text : new String[] {"/remote:close", "/remote:open", "/status:waiting", "/error:0001:x"}) {
            pair[0].send(text);
            assertEquals(text, pair[1].nextText());
        }
        pair[1].send("still paired");
        assertEquals("still paired", pair[0].nextText());
    }

    @Test
    void textSentAloneIsAnsweredAndNotDelivered() throws IOException {
        String id = newId();
        RelayClient a = connect(id).expect("/status:waiting");
        a.send("anyone?");
        a.expect("/error:0001:The message was not received by anyone.:anyone?");
        a.send(new byte[] {1, 2, 3});
        a.expect("/error:0002:The binary message was not received by anyone.:3 bytes");
        RelayClient b = connect(id).expect("/status:connected");
        a.expect("/remote:open", "/status:connected");
        b.send("probe");
        assertEquals("probe", a.nextText());
        a.send("back");
        assertEquals("back", b.nextText(), "b got a message sent before it joined");
    }

    @Test
    void orderAndBoundariesAreKept() throws IOException {
        RelayClient[] pair = pair();
        for (int i = 0; i < 500; i++) {
            if (i % 2 == 0) {
                pair[0].send("m" + i);
            } else {
                pair[0].send(("b" + i).getBytes(StandardCharsets.US_ASCII));
            }
        }
        for (int i = 0; i < 500; i++) {
            if (i % 2 == 0) {
                assertEquals("m" + i, pair[1].nextText());
            } else {
                assertEquals("b" + i, new String(pair[1].nextBinary(), StandardCharsets.US_ASCII));
            }
        }
    }

    @Test
    void fragmentedMessagesArriveWhole() throws IOException {
        RelayClient[] pair = pair();
        pair[0].sendFragmented("frag", "ment", "ed");
        assertEquals("fragmented", pair[1].nextText());
        pair[0].sendFragmented(new byte[] {1, 2}, new byte[] {3}, new byte[] {4, 5});
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, pair[1].nextBinary());
    }

    @Test
    void manyFragmentsUpToTheLimitArriveWholeAndInOrder() throws IOException {
        RelayClient[] pair = pair();
        int max = maxMessageBytes();
        int parts = 40;
        byte[][] binary = new byte[parts][];
        byte[] whole = new byte[max];
        for (int i = 0, at = 0; i < parts; i++) {
            int size = i < parts - 1 ? max / parts : max - at;
            binary[i] = new byte[size];
            for (int k = 0; k < size; k++) {
                binary[i][k] = (byte) (at + k);
            }
            System.arraycopy(binary[i], 0, whole, at, size);
            at += size;
        }
        pair[0].sendFragmented(binary);
        assertArrayEquals(whole, pair[1].nextBinary());
        String[] text = new String[parts];
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < parts; i++) {
            text[i] = "é" + (char) ('a' + i % 26);
            expected.append(text[i]);
        }
        pair[0].sendFragmented(text);
        assertEquals(expected.toString(), pair[1].nextText());
        // what follows a fragmented message starts afresh
        pair[0].send("after");
        assertEquals("after", pair[1].nextText());
        pair[0].send(new byte[] {9});
        assertArrayEquals(new byte[] {9}, pair[1].nextBinary());
    }

    @Test
    void messagesOfExactlyTheLimitPass() throws IOException {
        RelayClient[] pair = pair();
        int max = maxMessageBytes();
        String ascii = "a".repeat(max);
        pair[0].send(ascii);
        assertEquals(ascii, pair[1].nextText());
        String twoByte = "é".repeat(max / 2) + "a".repeat(max % 2);
        assertEquals(max, twoByte.getBytes(StandardCharsets.UTF_8).length);
        pair[0].send(twoByte);
        assertEquals(twoByte, pair[1].nextText());
        byte[] binary = new byte[max];
        binary[max - 1] = 7;
        pair[1].send(binary);
        assertArrayEquals(binary, pair[0].nextBinary());
        String fragments = "f".repeat(max / 2);
        pair[0].sendFragmented(fragments, "g".repeat(max - max / 2));
        assertEquals(max, pair[1].nextText().length());
    }

    @Test
    void textOneByteOverTheLimitClosesItsSenderWith1009() throws IOException {
        int max = maxMessageBytes();
        assertTooBig(sender -> sender.send("é".repeat(max / 2) + "a".repeat(max % 2) + "a"));
    }

    @Test
    void binaryOneByteOverTheLimitClosesItsSenderWith1009() throws IOException {
        assertTooBig(sender -> sender.send(new byte[maxMessageBytes() + 1]));
    }

    @Test
    void hugeFrameClosesItsSenderWith1009() throws IOException {
        assertTooBig(sender -> sender.send(new byte[4 * maxMessageBytes()]));
    }

    @Test
    void fragmentedMessageOverTheLimitClosesItsSenderWith1009() throws IOException {
        int half = maxMessageBytes() / 2 + 1;
        assertTooBig(sender -> sender.sendFragmented(new byte[half], new byte[half]));
    }

    @Test
    void fragmentedTextOverTheLimitClosesItsSenderWith1009() throws IOException {
        int half = maxMessageBytes() / 2 + 1;
        assertTooBig(sender -> sender.sendFragmented("x".repeat(half), "y".repeat(half)));
    }

    private void assertTooBig(Sending oversized) throws IOException {
        RelayClient[] pair = pair();
        try {
            oversized.send(pair[0]);
        } catch (IOException | RuntimeException e) {
            // the server may close before the client is done sending (Tyrus then throws a RejectedExecutionException)
        }
        checkTooBigClose(pair[0].awaitClose());
        pair[1].expect("/remote:close", "/status:waiting");
    }

    /**
     * Checks the close that a client got for a message over the limit: 1009. A target behind a proxy may see the
     * proxy's abort instead, when the relay closed a connection whose client was still sending; it then checks the
     * relay's own count of 1009 closes.
     */
    protected void checkTooBigClose(CloseReason reason) throws IOException {
        assertEquals(CloseReason.CloseCodes.TOO_BIG.getCode(), reason.getCloseCode().getCode(), reason.toString());
    }

    @FunctionalInterface
    private interface Sending {
        void send(RelayClient client) throws IOException;
    }

    @Test
    void joinRaceMakesWholePairsOnly() throws Exception {
        String id = newId();
        int clients = 20;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<RelayClient>> joining = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                joining.add(pool.submit(() -> {
                    start.await();
                    return connect(id);
                }));
            }
            start.countDown();
            List<RelayClient> joined = new ArrayList<>();
            for (Future<RelayClient> future : joining) {
                joined.add(future.get(30, TimeUnit.SECONDS));
            }
            int waited = 0;
            for (RelayClient client : joined) {
                String first = client.nextText();
                if (first.equals("/status:waiting")) {
                    client.expect("/remote:open", "/status:connected");
                    waited++;
                } else {
                    assertEquals("/status:connected", first);
                }
            }
            assertEquals(clients / 2, waited, "each waiter taken by exactly one joiner");
            for (int i = 0; i < clients; i++) {
                joined.get(i).send("from " + i);
            }
            Map<Integer, Integer> partner = new HashMap<>();
            for (int i = 0; i < clients; i++) {
                String text = joined.get(i).nextText();
                partner.put(i, Integer.parseInt(text.substring("from ".length())));
            }
            for (int i = 0; i < clients; i++) {
                int other = partner.get(i);
                assertNotEquals(i, other, "client " + i + " got its own message");
                assertEquals(i, partner.get(other), "pairing is not mutual for client " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** How long a handshake may take to be answered once a close storm is over. */
    private static final Duration HANDSHAKE_AFTER_STORM = Duration.ofSeconds(2);

    /**
     * Forty clients join one id at once (twenty pairs), then all forty send a close frame (1000) at the same moment,
     * both sides of every pair together; three rounds. Every client must get its close answered, and afterwards
     * twenty fresh handshakes must each be answered within {@link #HANDSHAKE_AFTER_STORM} (Open Liberty stopped
     * answering upgrades for tens of seconds after such a storm when the relay closed sessions from inside its
     * write-completion callback).
     */
    @Test
    @Timeout(120)
    void closeStormLeavesTheRelayAnsweringHandshakes() throws Exception {
        int clients = 40;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            for (int round = 1; round <= 3; round++) {
                String id = newId();
                List<WireClient> joined = joinAtOnce(pool, id, clients);
                int waiters = 0;
                for (WireClient client : joined) {
                    String first = client.readText();
                    if (first.equals("/status:waiting")) {
                        assertEquals("/remote:open", client.readText());
                        assertEquals("/status:connected", client.readText());
                        waiters++;
                    } else {
                        assertEquals("/status:connected", first, "round " + round);
                    }
                }
                assertEquals(clients / 2, waiters, "round " + round + ": pairs made");
                CountDownLatch go = new CountDownLatch(1);
                List<Future<WireClient.Outcome>> ends = new ArrayList<>();
                for (WireClient client : joined) {
                    ends.add(pool.submit(() -> {
                        go.await();
                        client.send(true, WireClient.CLOSE, WireClient.closePayload(1000, ""));
                        return client.awaitEnd(RelayClient.TIMEOUT);
                    }));
                }
                go.countDown();
                for (Future<WireClient.Outcome> end : ends) {
                    WireClient.Outcome outcome = end.get(30, TimeUnit.SECONDS);
                    assertEquals(1000, outcome.closeCode(), "round " + round + ": the close was answered: " + outcome);
                }
                for (WireClient client : joined) {
                    client.close();
                }
            }
            for (int i = 0; i < 20; i++) {
                long start = System.nanoTime();
                try (WireClient client = WireClient.upgraded(host(), port(), prefix() + "/" + newId(), 0,
                        HANDSHAKE_AFTER_STORM)) {
                    WireClient.Frame first = client.readFrame(HANDSHAKE_AFTER_STORM);
                    assertTrue(first != null && first.text().equals("/status:waiting"), "fresh handshake " + i
                            + " after the storm: " + (first == null ? "nothing" : first.text()) + " after "
                            + (System.nanoTime() - start) / 1_000_000 + " ms");
                    client.send(true, WireClient.CLOSE, WireClient.closePayload(1000, ""));
                    assertEquals(1000, client.awaitEnd(HANDSHAKE_AFTER_STORM).closeCode(), "fresh handshake " + i);
                }
            }
            RelayClient[] pair = pair();
            pair[0].sendFragmented("after ", "the ", "storm");
            assertEquals("after the storm", pair[1].nextText());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Upgrades {@code count} raw clients to {@code id} at the same moment. */
    private List<WireClient> joinAtOnce(ExecutorService pool, String id, int count) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<WireClient>> joining = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            joining.add(pool.submit(() -> {
                start.await();
                WireClient client = WireClient.upgraded(host(), port(), prefix() + "/" + id, 0);
                opened.add(client);
                return client;
            }));
        }
        start.countDown();
        List<WireClient> joined = new ArrayList<>();
        for (Future<WireClient> future : joining) {
            joined.add(future.get(30, TimeUnit.SECONDS));
        }
        return joined;
    }

    @Test
    void peerDroppedWithoutCloseFrameIsRemovedAtOnce() throws IOException {
        String id = newId();
        WireClient a = raw(id, 0);
        assertEquals(101, a.status());
        assertEquals("/status:waiting", a.readText());
        RelayClient b = connect(id).expect("/status:connected");
        assertEquals("/remote:open", a.readText());
        assertEquals("/status:connected", a.readText());
        a.reset();
        b.expect("/remote:close", "/status:waiting");
        RelayClient c = connect(id).expect("/status:connected");
        b.expect("/remote:open", "/status:connected");
        c.send("alive");
        assertEquals("alive", b.nextText());
    }

    /**
     * How soon a survivor must hear that its peer's connection was reset. The launcher, WildFly and Open Liberty
     * report a reset at once; GlassFish and Payara Micro lose one that arrives while the upgrade request completes,
     * and the relay finds it with the ping it sends each new connection there 1 s after it opened, which must be
     * answered within 3 s ({@code RelayEndpoint.PROBE_AFTER_OPEN_MILLIS}, {@code PROBE_ANSWER_MILLIS}): 4 s, and
     * 2 s of margin for a busy machine.
     */
    protected static final Duration RESET_NOTICED_WITHIN = Duration.ofSeconds(6);

    @Test
    void joinerResetRightAfterPairingIsNoticedWithinTheBound() throws IOException {
        for (int round = 0; round < 5; round++) {
            String id = newId();
            RelayClient a = connect(id).expect("/status:waiting");
            WireClient b = raw(id, 0);
            assertEquals("/status:connected", b.readText());
            long start = System.nanoTime();
            b.reset(); // at once: within the moments in which the server is still completing b's upgrade
            a.expect("/remote:open", "/status:connected");
            RelayClient.Event event = a.next(RESET_NOTICED_WITHIN.minusNanos(System.nanoTime() - start));
            assertEquals(new RelayClient.Text("/remote:close"), event, "round " + round + ": after "
                    + (System.nanoTime() - start) / 1_000_000 + " ms");
            a.expect("/status:waiting");
        }
    }

    @Test
    void waiterDroppedWithoutCloseFrameDoesNotPoisonTheId() throws IOException {
        String id = newId();
        WireClient a = raw(id, 0);
        assertEquals("/status:waiting", a.readText());
        a.reset();
        RelayClient b = eventuallyWaiting(id);
        RelayClient c = connect(id).expect("/status:connected");
        b.expect("/remote:open", "/status:connected");
        c.send("alive");
        assertEquals("alive", b.nextText());
    }

    /**
     * Connects to an id whose previous client just left: the server may not have seen it go yet, in which case the
     * new client is paired with it first and then told {@code /remote:close}; either way it ends up waiting.
     */
    private RelayClient eventuallyWaiting(String id) throws IOException {
        RelayClient client = connect(id);
        String first = client.nextText();
        if (first.equals("/status:connected")) {
            client.expect("/remote:close", "/status:waiting");
        } else {
            assertEquals("/status:waiting", first);
        }
        return client;
    }

    @Test
    void stalledReaderIsDroppedAndItsPeerMatchedAgain() throws IOException {
        String id = newId();
        WireClient stalled = raw(id, 4096);
        assertEquals("/status:waiting", stalled.readText());
        RelayClient sender = connect(id).expect("/status:connected");
        assertEquals("/remote:open", stalled.readText());
        assertEquals("/status:connected", stalled.readText());
        byte[] chunk = new byte[maxMessageBytes()];
        int sent = 0;
        RelayClient.Event event = null;
        // bounded: a relay that buffers without limit is caught long before 200 MB
        while (sent < 3200 && event == null) {
            sender.send(chunk);
            sent++;
            event = sender.poll();
        }
        assertTrue(event != null, "the stalled receiver was never dropped after " + sent + " messages");
        assertEquals(new RelayClient.Text("/remote:close"), event);
        sender.expect("/status:waiting");
        checkStalledReaderBound(sent * (long) chunk.length);
        // what the sender sent after the receiver was dropped, before it knew, is answered /error:0002 while it is
        // alone; let that backlog drain first, or it goes to the next peer, which may then fall behind itself
        for (RelayClient.Event late = sender.poll(Duration.ofMillis(500)); late != null;
                late = sender.poll(Duration.ofMillis(500))) {
            assertTrue(late instanceof RelayClient.Text text && text.text().startsWith("/error:0002:"), late.toString());
        }
        RelayClient next = connect(id).expect("/status:connected");
        String text = sender.nextText();
        while (text.startsWith("/error:0002:")) { // sent after the receiver was dropped, before the sender knew
            text = sender.nextText();
        }
        assertEquals("/remote:open", text);
        sender.expect("/status:connected");
        next.send("after the stall");
        assertEquals("after the stall", sender.nextText());
    }

    /** Lets a target check its own memory bound after a stalled reader was dropped; {@code sentBytes} were sent. */
    protected void checkStalledReaderBound(long sentBytes) {
    }

    @Test
    void idIsCaseSensitiveAndTheQueryIgnored() throws IOException {
        String id = "Case-" + UUID.randomUUID();
        RelayClient upper = connect(id).expect("/status:waiting");
        connect(id.toLowerCase(java.util.Locale.ROOT)).expect("/status:waiting");
        RelayClient withQuery = connect(id + "?token=abc&x=1").expect("/status:connected");
        upper.expect("/remote:open", "/status:connected");
        withQuery.send("q");
        assertEquals("q", upper.nextText());
    }

    @Test
    void idIsPercentDecoded() throws IOException {
        String id = "pct-" + UUID.randomUUID();
        RelayClient plain = connect(id + "-x").expect("/status:waiting");
        connect(id + "-%78").expect("/status:connected");
        plain.expect("/remote:open", "/status:connected");
    }

    @Test
    void pathsThatAreNotOneSegmentAreNotFound() throws IOException {
        for (String path : new String[] {"/", "/a/b", "/a/"}) {
            try (WireClient client = WireClient.upgrade(host(), port(), prefix() + path, 0)) {
                assertEquals(404, client.status(), "upgrade of " + prefix() + path);
            }
        }
    }

    /** RFC 6455 4.1: the opening handshake is a GET; a POST with every upgrade header is refused before any upgrade. */
    @Test
    void postUpgradeIsRefusedWith405() throws IOException {
        String head = WireClient.upgradeHead(host(), port(), prefix() + "/" + newId())
                .replaceFirst("^GET ", "POST ").replace("\r\n\r\n", "\r\nContent-Length: 0\r\n\r\n");
        try (WireClient client = WireClient.connect(host(), port(), 0)) {
            client.write(head);
            WireClient.Response response = client.readResponse(RelayClient.TIMEOUT);
            assertEquals(405, response.status(), response.toString());
            assertEquals("GET", response.headers().get("allow"), "the Allow header of " + response.headers());
        }
    }

    @Test
    protected void healthAndMetricsAreServed() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(RelayClient.TIMEOUT).build();
        HttpResponse<String> health = get(http, "/health");
        assertEquals(200, health.statusCode());
        assertTrue(health.body().contains("\"status\":\"UP\""), health.body());
        long relayedBefore = metric(get(http, "/metrics").body(), "websocket_relay_messages_relayed_total{type=\"text\"}");
        long pairsBefore = metric(get(http, "/metrics").body(), "websocket_relay_pairs_made_total");
        RelayClient[] pair = pair();
        pair[0].send("counted");
        assertEquals("counted", pair[1].nextText());
        HttpResponse<String> metrics = get(http, "/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        assertTrue(metric(metrics.body(), "websocket_relay_messages_relayed_total{type=\"text\"}") >= relayedBefore + 1);
        assertTrue(metric(metrics.body(), "websocket_relay_pairs_made_total") >= pairsBefore + 1);
        assertTrue(metric(metrics.body(), "websocket_relay_connections") >= 2);
    }

    private HttpResponse<String> get(HttpClient http, String path) throws IOException, InterruptedException {
        URI uri = URI.create("http://" + host() + ":" + port() + prefix() + path);
        return http.send(HttpRequest.newBuilder(uri).timeout(RelayClient.TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** @return the value of one sample in a Prometheus text exposition */
    protected static long metric(String exposition, String sample) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith(sample + " ")) {
                return Long.parseLong(line.substring(sample.length() + 1).trim());
            }
        }
        throw new AssertionError("no sample " + sample + " in:\n" + exposition);
    }

    private static String idOf(RelayClient client) {
        String path = client.session().getRequestURI().getPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
