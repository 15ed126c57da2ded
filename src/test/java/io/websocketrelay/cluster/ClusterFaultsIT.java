package io.websocketrelay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.websocketrelay.testing.JsonReader;
import io.websocketrelay.testing.RedisServer;
import io.websocketrelay.testing.RelayClient;
import io.websocketrelay.testing.RelayNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Faults of a cluster, with real processes: relay nodes (launcher JVMs) on one real redis-server, and the test
 * kills, stops, freezes or restarts them. Each test has a Redis and nodes of its own, with a node timeout of 3 s
 * (10 s for the graceful stop, to tell "at once" from "after the timeout").
 *
 * <p>The contract under test: a dead node's cross-node peers hear {@code /remote:close} within the node timeout
 * (+ 1 s) and are matched again, and its waiters stop being waiters; while Redis is unreachable or frozen a node
 * keeps its local pairs, matches new clients locally, ends its cross-node pairs within the node timeout and says
 * {@code DEGRADED} on {@code /health}; when Redis is back (even empty) it says {@code UP} and waiters of one id on
 * two nodes meet, even two that were a pair which lost a message in the outage; a restarted node inherits nothing; a
 * node stopped with SIGTERM closes its clients with 1001 and tells their peers at once.
 *
 * <p>Measured times are printed ({@code [faults] ...}) so that they can be quoted. The bound on detection is the node
 * timeout + 1 s of the contract + 1.5 s for a loaded machine.
 */
@Timeout(120)
class ClusterFaultsIT {

    /** The node timeout of most tests. */
    private static final long NODE_TIMEOUT_MS = 3000;
    /** How long a fault may take to be noticed: the node timeout + 1 s (contract) + 1.5 s (a loaded machine). */
    private static final Duration DETECTION = Duration.ofMillis(NODE_TIMEOUT_MS + 2500);
    /** The prefix of the relay's Redis keys (the default cluster name). */
    private static final String PREFIX = "websocket-relay:";
    /** How long a node may take to say UP after it started. */
    private static final Duration START_UP = Duration.ofSeconds(10);

    @RegisterExtension
    static final TestWatcher DUMP = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            context.getTestInstance().ifPresent(instance -> ((ClusterFaultsIT) instance).dump());
        }
    };

    private final AtomicInteger messages = new AtomicInteger();
    private final List<RelayNode> nodes = new ArrayList<>();
    private final List<RelayClient> clients = new ArrayList<>();
    private Path dir;
    private RedisServer redis;
    private String test;

    @BeforeEach
    void startRedis(TestInfo info) throws Exception {
        test = info.getTestMethod().orElseThrow().getName();
        dir = Files.createTempDirectory("cluster-faults-" + test);
        redis = RedisServer.start(dir.resolve("redis"));
    }

    @AfterEach
    void stopAll() {
        for (RelayClient client : clients) {
            try {
                client.close();
            } catch (IOException | RuntimeException e) {
                // the node it was on may be gone: nothing to close
            }
        }
        nodes.forEach(RelayNode::close);
        if (redis != null) {
            redis.close();
        }
    }

    // ---- 1. a node dies

    @Test
    void aKilledNodesPeersHearRemoteCloseWithinTheTimeoutAndItsWaitersAreGone() throws Exception {
        RelayNode a = node("a");
        RelayNode b = node("b");
        RelayNode c = node("c");
        // b's clients: one that joined a waiter of a, one that a client of c joined, one waiting alone
        String idAB = newId("ab");
        RelayClient onA = connect(a, idAB).expect("/status:waiting");
        RelayClient bWithA = connect(b, idAB).expect("/status:connected");
        onA.expect("/remote:open", "/status:connected");
        relays(onA, bWithA);
        String idCB = newId("cb");
        RelayClient bWithC = connect(b, idCB).expect("/status:waiting");
        RelayClient onC = connect(c, idCB).expect("/status:connected");
        bWithC.expect("/remote:open", "/status:connected");
        relays(onC, bWithC);
        String idW = newId("w");
        connect(b, idW).expect("/status:waiting");
        assertEquals(1, links(a), "a's link with b");
        assertEquals(1, links(c), "c's link with b");
        assertEquals(2, links(b), "b's links with a and c");
        String dead = nodeId(b);

        long killed = System.nanoTime();
        b.kill();
        long toA = expectWithin(onA, "/remote:close", killed, DETECTION);
        long toC = expectWithin(onC, "/remote:close", killed, DETECTION);
        System.out.printf("[faults] node killed (-9): /remote:close on node a after %d ms, on node c after %d ms"
                + " (node timeout %d ms, bound %d ms)%n", toA, toC, NODE_TIMEOUT_MS, DETECTION.toMillis());
        onA.expect("/status:waiting");
        onC.expect("/status:waiting");
        assertEquals("0", redis.command("EXISTS", PREFIX + "node:" + dead), "the dead node's heartbeat expired");

        // its waiter is no waiter any more: a joiner on another node waits
        RelayClient joiner = connect(a, idW);
        assertEquals("/status:waiting", joiner.nextText(),
                "a joiner on the dead node's waiter's id, after the node timeout, must wait, not pair with it");
        // the survivors were matched again in the cluster: each is the waiter of its id, and a new client pairs
        RelayClient newPeer = connect(c, idAB).expect("/status:connected");
        onA.expect("/remote:open", "/status:connected");
        relays(onA, newPeer);
        RelayClient other = connect(a, idCB).expect("/status:connected");
        onC.expect("/remote:open", "/status:connected");
        relays(other, onC);
        assertTrue(a.isAlive() && c.isAlive(), "the other nodes run");
        assertEquals(2, links(a), "a's links: with c twice");
        assertEquals(2, links(c), "c's links: with a twice");
    }

    @Test
    void aKilledNodesRoomMembersAreAnnouncedClosedWithinTheTimeout() throws Exception {
        RelayNode a = node("a");
        RelayNode b = node("b");
        String room = "room/" + newId("room");
        RelayClient first = connect(a, room);
        String firstId = first.nextText().substring("/room:joined:".length()).split(":")[0];
        RelayClient doomed = connect(b, room);
        String doomedJoined = doomed.nextText();
        assertEquals("/room:joined:", doomedJoined.substring(0, "/room:joined:".length()), doomedJoined);
        String doomedId = doomedJoined.substring("/room:joined:".length()).split(":")[0];
        assertEquals("/room:joined:" + doomedId + ":" + firstId, doomedJoined);
        first.expect("/member:open:" + doomedId);
        RelayClient second = connect(a, room);
        String secondJoined = second.nextText();
        assertTrue(secondJoined.endsWith(":" + firstId + "," + doomedId), secondJoined);
        String secondId = secondJoined.substring("/room:joined:".length()).split(":")[0];
        first.expect("/member:open:" + secondId);
        doomed.expect("/member:open:" + secondId);
        doomed.send("from b");
        first.expect("from b");
        second.expect("from b");

        long killed = System.nanoTime();
        b.kill();
        long toFirst = expectWithin(first, "/member:close:" + doomedId, killed, DETECTION);
        long toSecond = expectWithin(second, "/member:close:" + doomedId, killed, DETECTION);
        System.out.printf("[faults] node killed (-9): /member:close of its room member after %d ms and %d ms"
                + " (node timeout %d ms, bound %d ms)%n", toFirst, toSecond, NODE_TIMEOUT_MS, DETECTION.toMillis());
        first.send("after b");
        second.expect("after b");
        // a new member on another node sees the two that are left, not the dead node's member
        RelayNode c = node("c");
        RelayClient late = connect(c, room);
        String lateJoined = late.nextText();
        assertTrue(lateJoined.endsWith(":" + firstId + "," + secondId), lateJoined);
    }

    // ---- 2. Redis unreachable

    @Test
    void whileRedisIsKilledNodesKeepLocalPairsServeLocallyAndEndCrossNodePairs() throws Exception {
        RelayNode a = node("a");
        RelayNode b = node("b");
        RelayClient[] local = pair(a, a, "local");
        RelayClient[] cross = pair(a, b, "cross");

        long killed = System.nanoTime();
        redis.kill();
        relays(local[0], local[1]); // at once, before the nodes noticed
        long degradedA = awaitCluster(a, "DEGRADED", killed, DETECTION);
        long degradedB = awaitCluster(b, "DEGRADED", killed, DETECTION);
        relays(local[0], local[1]); // and once they are degraded
        long toWaiter = expectWithin(cross[0], "/remote:close", killed, DETECTION);
        long toJoiner = expectWithin(cross[1], "/remote:close", killed, DETECTION);
        System.out.printf("[faults] Redis killed (-9): /health DEGRADED after %d ms (a), %d ms (b); /remote:close to"
                + " the cross-node pair after %d ms (a) and %d ms (b) (node timeout %d ms, bound %d ms)%n", degradedA,
                degradedB, toWaiter, toJoiner, NODE_TIMEOUT_MS, DETECTION.toMillis());
        // matched again, locally: nobody else waits on that id on their nodes
        cross[0].expect("/status:waiting");
        cross[1].expect("/status:waiting");

        // the local pair still relays, after the cross-node links ended
        for (int i = 0; i < 3; i++) {
            relays(local[0], local[1]);
        }
        // new clients are served locally: two on one node and one id are paired
        pair(b, b, "new local");
        for (RelayNode node : List.of(a, b)) {
            assertTrue(node.isAlive(), node + " runs");
            Map<String, Object> health = health(node);
            assertEquals("DEGRADED", health.get("cluster"), node + ": " + health);
            assertEquals(0.0, health.get("links"), node + " holds no cross-node link: " + health);
        }
        assertEquals(3.0, health(b).get("connections"), "b serves its clients: the survivor and the new pair");
    }

    // ---- 3. Redis back, empty

    @Test
    void whenRedisComesBackEmptyNodesAreUpAndWaitersOfOneIdOnTwoNodesMeet() throws Exception {
        RelayNode a = node("a");
        RelayNode b = node("b");
        long killed = System.nanoTime();
        redis.kill();
        awaitCluster(a, "DEGRADED", killed, DETECTION);
        awaitCluster(b, "DEGRADED", killed, DETECTION);
        String id = newId("outage");
        RelayClient onA = connect(a, id).expect("/status:waiting");
        RelayClient onB = connect(b, id).expect("/status:waiting");

        redis.restartEmpty();
        long restarted = System.nanoTime();
        long upA = awaitCluster(a, "UP", restarted, DETECTION);
        long upB = awaitCluster(b, "UP", restarted, DETECTION);
        long paired = expectPairedAgain(onA, onB, restarted, DETECTION);
        System.out.printf("[faults] Redis back empty: /health UP after %d ms (a), %d ms (b); the two waiters paired"
                + " after %d ms (bound %d ms)%n", upA, upB, paired, DETECTION.toMillis());
        relays(onA, onB);
        assertEquals(1, links(a), "a's link with b");
        assertEquals(1, links(b), "b's link with a");
        // and pairing across nodes works for new clients
        pair(b, a, "after restart");
    }

    @Test
    void aNodeStartedWhileRedisIsOutServesLocallyAndOffersItsWaitersWhenRedisIsBack() throws Exception {
        RelayNode a = node("a");
        long killed = System.nanoTime();
        redis.kill();
        awaitCluster(a, "DEGRADED", killed, DETECTION);
        RelayNode late = RelayNode.start(dir, "late", "--redis", redis.url(), "--node-timeout-ms",
                Long.toString(NODE_TIMEOUT_MS));
        nodes.add(late);
        awaitCluster(late, "DEGRADED", System.nanoTime(), START_UP);
        pair(late, late, "late local"); // it serves its clients alone
        String id = newId("late");
        RelayClient onA = connect(a, id).expect("/status:waiting");
        RelayClient onLate = connect(late, id).expect("/status:waiting");

        redis.restartEmpty();
        long restarted = System.nanoTime();
        awaitCluster(a, "UP", restarted, DETECTION);
        awaitCluster(late, "UP", restarted, DETECTION);
        long paired = expectPairedAgain(onA, onLate, restarted, DETECTION);
        System.out.printf("[faults] a node started while Redis was out: its waiter paired across %d ms after Redis"
                + " came back%n", paired);
        relays(onA, onLate);
    }

    @Test
    void aCrossNodePairThatLostAMessageInTheOutageMeetsAgainAndRelaysWhenRedisIsBack() throws Exception {
        RelayNode a = node("a");
        RelayNode b = node("b");
        RelayClient[] cross = pair(a, b, "cross");
        relays(cross[0], cross[1]);

        long killed = System.nanoTime();
        redis.kill();
        awaitCluster(a, "DEGRADED", killed, DETECTION);
        // a message sent across while Redis is out cannot arrive: the link ends, its sender hears so at once
        cross[0].send("lost in the outage");
        expectWithin(cross[0], "/remote:close", killed, DETECTION);
        cross[0].expect("/status:waiting");
        expectWithin(cross[1], "/remote:close", killed, DETECTION);
        cross[1].expect("/status:waiting");

        redis.restartEmpty();
        long restarted = System.nanoTime();
        awaitCluster(a, "UP", restarted, DETECTION);
        awaitCluster(b, "UP", restarted, DETECTION);
        long paired = expectPairedAgain(cross[0], cross[1], restarted, DETECTION);
        System.out.printf("[faults] Redis back empty after a lost message: the survivors paired after %d ms%n",
                paired);
        // the new pair relays, in both directions, more than once
        for (int i = 0; i < 3; i++) {
            relays(cross[0], cross[1]);
        }
        assertEquals(1, links(a), "a's link with b");
        assertEquals(1, links(b), "b's link with a");
    }

    // ---- 4. Redis frozen

    @Test
    void whileRedisIsFrozenNodesAreDegradedAndAfterThawPairAcrossNodesAgain() throws Exception {
        RelayNode a = node("a");
        RelayNode b = node("b");
        RelayClient[] local = pair(a, a, "local");
        RelayClient[] cross = pair(a, b, "cross");

        long frozen = System.nanoTime();
        redis.freeze();
        long degradedA = awaitCluster(a, "DEGRADED", frozen, DETECTION);
        long degradedB = awaitCluster(b, "DEGRADED", frozen, DETECTION);
        long toWaiter = expectWithin(cross[0], "/remote:close", frozen, DETECTION);
        long toJoiner = expectWithin(cross[1], "/remote:close", frozen, DETECTION);
        System.out.printf("[faults] Redis frozen (SIGSTOP): /health DEGRADED after %d ms (a), %d ms (b);"
                + " /remote:close after %d ms (a), %d ms (b) (node timeout %d ms, bound %d ms)%n", degradedA,
                degradedB, toWaiter, toJoiner, NODE_TIMEOUT_MS, DETECTION.toMillis());
        cross[0].expect("/status:waiting");
        cross[1].expect("/status:waiting");
        for (int i = 0; i < 3; i++) {
            relays(local[0], local[1]);
        }
        pair(b, b, "new local");
        assertTrue(a.isAlive() && b.isAlive(), "the nodes run");

        redis.thaw();
        long thawed = System.nanoTime();
        long upA = awaitCluster(a, "UP", thawed, DETECTION);
        long upB = awaitCluster(b, "UP", thawed, DETECTION);
        // the two survivors wait on one id on two nodes: now they meet
        long paired = expectPairedAgain(cross[0], cross[1], thawed, DETECTION);
        System.out.printf("[faults] Redis thawed: /health UP after %d ms (a), %d ms (b); the survivors paired again"
                + " after %d ms%n", upA, upB, paired);
        relays(cross[0], cross[1]);
        // new clients pair across nodes again, again and again (a node that falls back to DEGRADED after the thaw
        // would match one of them in memory: it would wait)
        for (int i = 0; i < 4; i++) {
            pair(b, a, "after thaw b");
            pair(a, b, "after thaw a");
        }
        relays(local[0], local[1]);
        assertEquals(9, links(a), "a's links with b: the survivors and the eight new pairs");
    }

    // ---- 5. a node restarts

    @Test
    void aRestartedNodeInheritsNothingOfItsOldLife() throws Exception {
        RelayNode a = node("a");
        RelayNode b = node("b");
        String id1 = newId("old1");
        String id2 = newId("old2");
        connect(b, id1).expect("/status:waiting");
        connect(b, id2).expect("/status:waiting");
        String old = nodeId(b);

        long killed = System.nanoTime();
        b.kill();
        RelayNode again = node("b-again");
        assertNotEquals(old, nodeId(again), "a new life, a new node id");
        long expired = awaitKeyGone(PREFIX + "node:" + old, killed, DETECTION);
        System.out.printf("[faults] node restarted: the old life's heartbeat expired %d ms after the kill%n", expired);

        RelayClient onA = connect(a, id1);
        assertEquals("/status:waiting", onA.nextText(), "a joiner on another node must not pair with the old waiter");
        RelayClient onAgain = connect(again, id2);
        assertEquals("/status:waiting", onAgain.nextText(),
                "a joiner on the new node must not pair with the old waiter");
        // the new node is a member like any other
        RelayClient joiner = connect(a, id2).expect("/status:connected");
        onAgain.expect("/remote:open", "/status:connected");
        relays(onAgain, joiner);
        RelayClient second = connect(again, id1).expect("/status:connected");
        onA.expect("/remote:open", "/status:connected");
        relays(onA, second);
    }

    // ---- 6. graceful stop

    @Test
    void aNodeStoppedWithSigtermClosesItsClientsWith1001AndTellsTheirPeersAtOnce() throws Exception {
        long timeout = 10_000;
        Duration atOnce = Duration.ofSeconds(3);
        RelayNode a = node("a", timeout);
        RelayNode b = node("b", timeout);
        RelayClient[] waiterOnA = pair(a, b, "a waits");
        RelayClient[] waiterOnB = pair(b, a, "b waits");
        String idW = newId("w");
        RelayClient alone = connect(b, idW).expect("/status:waiting");
        String stopped = nodeId(b);

        long terminated = System.nanoTime();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
            try {
                return b.terminate(Duration.ofSeconds(30));
            } catch (IOException e) {
                throw new CompletionException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompletionException(e);
            }
        });
        long toWaiter = expectWithin(waiterOnA[0], "/remote:close", terminated, atOnce);
        long toJoiner = expectWithin(waiterOnB[1], "/remote:close", terminated, atOnce);
        System.out.printf("[faults] node stopped (SIGTERM): /remote:close on node a after %d ms and %d ms"
                + " (node timeout %d ms, bound %d ms)%n", toWaiter, toJoiner, timeout, atOnce.toMillis());
        waiterOnA[0].expect("/status:waiting");
        waiterOnB[1].expect("/status:waiting");
        for (RelayClient client : List.of(waiterOnA[1], waiterOnB[0], alone)) {
            assertEquals(1001, client.awaitClose().getCloseCode().getCode(), "the stopping node closes with 1001");
        }
        int code = exit.get(40, TimeUnit.SECONDS);
        long exited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - terminated);
        System.out.printf("[faults] node stopped (SIGTERM): exited with %d after %d ms%n", code, exited);
        assertEquals(143, code, "the JVM ends as after SIGTERM once the shutdown hooks ran\n" + b.output());
        assertEquals("0", redis.command("EXISTS", PREFIX + "node:" + stopped), "the stopped node left: no heartbeat");
        // its waiter is withdrawn at once, not after the node timeout
        RelayClient joiner = connect(a, idW);
        assertEquals("/status:waiting", joiner.nextText(), "a joiner on the stopped node's waiter's id must wait");
        long joined = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - terminated);
        assertTrue(joined < timeout, "checked before the node timeout, " + joined + " ms after SIGTERM");
        assertEquals(0, links(a), "a holds no link with the stopped node");
    }

    // ---- helpers

    private RelayNode node(String name) throws Exception {
        return node(name, NODE_TIMEOUT_MS);
    }

    /** Starts a node on this test's Redis and waits until it says UP (a node matches in memory until then). */
    private RelayNode node(String name, long nodeTimeoutMillis) throws Exception {
        RelayNode node = RelayNode.start(dir, name, "--redis", redis.url(), "--node-timeout-ms",
                Long.toString(nodeTimeoutMillis));
        nodes.add(node);
        awaitCluster(node, "UP", System.nanoTime(), START_UP);
        return node;
    }

    private RelayClient connect(RelayNode node, String id) throws IOException {
        RelayClient client = RelayClient.connect(URI.create(node.url(id)));
        clients.add(client);
        return client;
    }

    private static String newId(String label) {
        return label + "-" + UUID.randomUUID();
    }

    /**
     * Pairs a client of {@code waiting} (it waits) with one of {@code joining} on a new id, checks the pair protocol's
     * texts and that they relay both ways.
     *
     * @return the waiter and the joiner
     */
    private RelayClient[] pair(RelayNode waiting, RelayNode joining, String label) throws IOException {
        String id = newId(label.replace(' ', '-'));
        RelayClient waiter = connect(waiting, id).expect("/status:waiting");
        RelayClient joiner = connect(joining, id).expect("/status:connected");
        waiter.expect("/remote:open", "/status:connected");
        relays(waiter, joiner);
        return new RelayClient[] {waiter, joiner};
    }

    /** One message each way, each the next thing its receiver gets. */
    private void relays(RelayClient one, RelayClient other) throws IOException {
        String there = "message " + messages.incrementAndGet();
        one.send(there);
        assertEquals(there, other.nextText(), "relayed " + one + " -> " + other);
        String back = "message " + messages.incrementAndGet();
        other.send(back);
        assertEquals(back, one.nextText(), "relayed " + other + " -> " + one);
    }

    /**
     * Two clients that waited on one id on two nodes while Redis was out are paired once it is back: one of them is
     * the waiter (it hears {@code /remote:open}, {@code /status:connected}), the other the joiner (it hears
     * {@code /status:connected} only), whichever node offered its waiter first.
     *
     * @return ms from {@code since} to the first of their messages
     */
    private static long expectPairedAgain(RelayClient one, RelayClient other, long since, Duration within) {
        String first = nextText(one, remaining(since, within));
        long elapsed = millisSince(since);
        if (first.equals("/remote:open")) { // one is the waiter, other the joiner
            assertEquals("/status:connected", one.nextText(), "the waiter hears /remote:open, /status:connected");
            assertEquals("/status:connected", nextText(other, remaining(since, within)), "exactly one of the two"
                    + " hears /remote:open (the side that makes the WebRTC offer): " + one + " heard /remote:open,"
                    + " /status:connected, so " + other + ", the joiner, must hear /status:connected only");
        } else { // one is the joiner, other the waiter
            assertEquals("/status:connected", first, "the joiner hears /status:connected");
            assertEquals("/remote:open", nextText(other, remaining(since, within)), "the waiter hears /remote:open");
            assertEquals("/status:connected", other.nextText(), "then the waiter hears /status:connected");
        }
        return elapsed;
    }

    /**
     * Waits for {@code text} as the next event of {@code client}, no later than {@code within} after {@code since}.
     *
     * @return ms from {@code since} to its arrival
     */
    private static long expectWithin(RelayClient client, String text, long since, Duration within) {
        String got = nextText(client, remaining(since, within));
        long elapsed = millisSince(since);
        assertEquals(text, got, client + " after " + elapsed + " ms");
        assertTrue(elapsed <= within.toMillis(), text + " after " + elapsed + " ms, over " + within.toMillis() + " ms");
        return elapsed;
    }

    private static String nextText(RelayClient client, Duration within) {
        RelayClient.Event event = client.next(within);
        return assertInstanceOf(RelayClient.Text.class, event, () -> client + ": expected a text, got " + event).text();
    }

    /**
     * Polls {@code /health} of a node until it answers 200 with {@code "cluster":"<state>"}.
     *
     * @return ms from {@code since} until it did
     */
    private static long awaitCluster(RelayNode node, String state, long since, Duration within) throws Exception {
        String last = "";
        while (true) {
            last = RelayNode.httpGet(node.health());
            if (last.startsWith("200 ") && last.contains("\"cluster\":\"" + state + "\"")) {
                return millisSince(since);
            }
            if (millisSince(since) > within.toMillis()) {
                fail(node + " did not say cluster " + state + " within " + within.toMillis() + " ms; last /health: "
                        + last + "\n" + node.output());
            }
            TimeUnit.MILLISECONDS.sleep(50); // the pause of a bounded poll
        }
    }

    /** Polls Redis until {@code key} does not exist; @return ms from {@code since} until then. */
    private long awaitKeyGone(String key, long since, Duration within) throws Exception {
        while (!"0".equals(redis.command("EXISTS", key))) {
            if (millisSince(since) > within.toMillis()) {
                fail(key + " still exists " + within.toMillis() + " ms later");
            }
            TimeUnit.MILLISECONDS.sleep(50); // the pause of a bounded poll
        }
        return millisSince(since);
    }

    private static Map<String, Object> health(RelayNode node) throws Exception {
        String answer = RelayNode.httpGet(node.health());
        assertTrue(answer.startsWith("200 "), node + " /health: " + answer);
        return JsonReader.object(JsonReader.parse(answer.substring(4)));
    }

    private static String nodeId(RelayNode node) throws Exception {
        Object id = health(node).get("node");
        assertInstanceOf(String.class, id, node + " names its node id on /health");
        return (String) id;
    }

    private static int links(RelayNode node) throws Exception {
        return ((Double) health(node).get("links")).intValue();
    }

    private static Duration remaining(long since, Duration within) {
        return Duration.ofMillis(Math.max(1, within.toMillis() - millisSince(since)));
    }

    private static long millisSince(long since) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
    }

    /** Prints what the nodes and Redis logged, after a failure. */
    private void dump() {
        System.out.println("[faults] " + test + " failed; the nodes' and Redis's output:");
        for (RelayNode node : nodes) {
            System.out.println(node.output());
        }
        if (redis != null) {
            System.out.println(redis.log());
        }
    }
}
