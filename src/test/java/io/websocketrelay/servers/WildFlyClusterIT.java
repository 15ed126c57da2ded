package io.websocketrelay.servers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.websocketrelay.testing.RedisServer;
import io.websocketrelay.testing.RelayClient;
import io.websocketrelay.testing.RelayNode;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A mixed relay: the WAR on WildFly and a standalone launcher process on one real Redis are one relay, and clients
 * are paired, and share rooms, across them.
 *
 * <p>WildFly's JVM has {@code -Drelay.redis-url=redis://127.0.0.1:<cluster.redis.port>} (arquillian.xml), a port
 * that build-helper reserved and where nothing listens when Arquillian deploys the WAR: the WAR starts as a degraded
 * node serving alone. This class then starts redis-server on that port and a launcher with {@code --redis} on it,
 * and waits until both nodes say {@code "cluster":"UP"} on {@code /health}, so the WAR also shows that a node which
 * could not reach Redis at start joins the cluster once Redis answers.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@Timeout(120)
class WildFlyClusterIT {

    /** How long both nodes may take to say {@code "cluster":"UP"}. */
    private static final Duration CLUSTER_UP = Duration.ofSeconds(30);
    /** How long a client that must hear nothing more is watched. */
    private static final Duration QUIET = Duration.ofMillis(500);
    /** Messages sent in a row whose order is checked. */
    private static final int SEQUENCE = 200;

    private static Path dir;
    private static RedisServer redis;
    private static RelayNode launcher;
    /** The id of {@link #earlyWaiter}. */
    private static String earlyId;
    /** A client that began to wait on WildFly while WildFly served alone, before Redis ran. */
    private static RelayClient earlyWaiter;

    @ArquillianResource
    private URL deployment;

    private final List<RelayClient> clients = new ArrayList<>();

    @Deployment(testable = false)
    static WebArchive war() {
        return ServerRelayContract.builtWar();
    }

    /**
     * Runs after Arquillian deployed the WAR: checks that WildFly, without a Redis yet, is a degraded node that
     * serves, and leaves a client waiting there; then starts Redis on the port WildFly was given and the launcher
     * on it.
     */
    @BeforeAll
    static void startRedisAndLauncher() throws Exception {
        int redisPort = Integer.parseInt(requiredProperty("cluster.redis.port"));
        String before = RelayNode.httpGet(wildFlyHealth());
        assertTrue(before.startsWith("200 ") && before.contains("\"status\":\"UP\"")
                && before.contains("\"cluster\":\"DEGRADED\""), "WildFly before Redis runs: " + before);
        earlyId = newId();
        earlyWaiter = RelayClient.connect(URI.create("ws://127.0.0.1:" + requiredProperty("wildfly.http.port") + "/"
                + earlyId)).expect("/status:waiting");
        Files.createDirectories(Path.of("target"));
        dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "wildfly-cluster-it-");
        redis = RedisServer.start(dir.resolve("redis"), redisPort);
        launcher = RelayNode.start(dir, "launcher", "--redis", redis.url());
    }

    @AfterAll
    static void stopLauncherAndRedis() throws IOException {
        if (earlyWaiter != null) {
            earlyWaiter.close();
        }
        if (launcher != null) {
            launcher.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    /** Both nodes in the cluster, every test (at once after the first). */
    @BeforeEach
    void bothNodesUp() throws Exception {
        assertEquals(Integer.parseInt(requiredProperty("wildfly.http.port")), deployment.getPort(),
                "the deployment is on WildFly's reserved HTTP port");
        awaitClusterUp(URI.create("http://127.0.0.1:" + deployment.getPort() + "/health"), "WildFly");
        awaitClusterUp(launcher.health(), "the launcher");
    }

    @AfterEach
    void closeClients() throws IOException {
        for (RelayClient client : clients) {
            client.close();
        }
        clients.clear();
    }

    @Test
    void waiterOnWildFlyJoinerOnLauncher() throws Exception {
        String id = newId();
        RelayClient waiter = connect(onWildFly(id)).expect("/status:waiting");
        RelayClient joiner = connect(onLauncher(id)).expect("/status:connected");
        waiter.expect("/remote:open", "/status:connected");
        relayBothWays(waiter, joiner);
        joinerLeaves(waiter, joiner);
    }

    @Test
    void waiterOnLauncherJoinerOnWildFly() throws Exception {
        String id = newId();
        RelayClient waiter = connect(onLauncher(id)).expect("/status:waiting");
        RelayClient joiner = connect(onWildFly(id)).expect("/status:connected");
        waiter.expect("/remote:open", "/status:connected");
        relayBothWays(waiter, joiner);
        joinerLeaves(waiter, joiner);
    }

    /**
     * A node that could not reach Redis at start serves alone, then joins the cluster when Redis answers: a client
     * that waited on it from before is matched across the cluster from then on, as the waiters of a node that
     * comes back from an outage are.
     */
    @Test
    void clientThatWaitedOnWildFlyBeforeRedisRanIsPairedFromTheLauncher() throws Exception {
        RelayClient joiner = connect(onLauncher(earlyId));
        assertEquals("/status:connected", joiner.nextText(), "the launcher's client on the id that a client waited"
                + " on at WildFly since before WildFly joined the cluster");
        earlyWaiter.expect("/remote:open", "/status:connected");
        joiner.send("found you");
        earlyWaiter.expect("found you");
        earlyWaiter.send("and you");
        joiner.expect("and you");
    }

    @Test
    void roomWithMembersOnBothNodes() throws Exception {
        String room = "room-" + UUID.randomUUID();
        RelayClient a = connect(onWildFly("room/" + room));
        String aId = joinedAs(a, List.of());
        RelayClient b = connect(onLauncher("room/" + room));
        String bId = joinedAs(b, List.of(aId));
        a.expect("/member:open:" + bId);

        a.send("from WildFly");
        b.expect("from WildFly");
        b.send("from the launcher");
        a.expect("from the launcher");
        byte[] fromA = bytes(20_000, 11);
        a.send(fromA);
        assertArrayEquals(fromA, b.nextBinary());
        byte[] fromB = allByteValues();
        b.send(fromB);
        assertArrayEquals(fromB, a.nextBinary());
        a.send("/to:" + bId + ":direct");
        b.expect("/from:" + aId + ":direct");
        sendSequence(b, "b");
        expectSequence(a, "b");
        sendSequence(a, "a");
        expectSequence(b, "a");

        // a third member, on WildFly: it sees both, in join order, and a broadcast reaches every other member
        RelayClient c = connect(onWildFly("room/" + room));
        String cId = joinedAs(c, List.of(aId, bId));
        a.expect("/member:open:" + cId);
        b.expect("/member:open:" + cId);
        b.send("to all");
        a.expect("to all");
        c.expect("to all");

        b.close();
        a.expect("/member:close:" + bId);
        c.expect("/member:close:" + bId);
        c.send("after b left");
        a.expect("after b left");
        assertQuiet(a, "a after c's message");
        assertQuiet(c, "c, who must not hear its own message");
    }

    // ---- what the pair tests share

    /** Text and binary byte-exact both ways, then {@value #SEQUENCE} messages each way in order. */
    private static void relayBothWays(RelayClient waiter, RelayClient joiner) throws IOException {
        joiner.send("hello from the joiner");
        waiter.expect("hello from the joiner");
        String unicode = "é ✓ 😀 \u0000 end";
        waiter.send(unicode);
        assertEquals(unicode, joiner.nextText());
        byte[] all = allByteValues();
        waiter.send(all);
        assertArrayEquals(all, joiner.nextBinary());
        byte[] large = bytes(30_000, 7);
        joiner.send(large);
        assertArrayEquals(large, waiter.nextBinary());
        sendSequence(joiner, "j");
        expectSequence(waiter, "j");
        sendSequence(waiter, "w");
        expectSequence(joiner, "w");
        assertQuiet(waiter, "the waiter");
        assertQuiet(joiner, "the joiner");
    }

    /** The joiner leaves: the waiter on the other node hears it and waits again, and nothing else. */
    private static void joinerLeaves(RelayClient waiter, RelayClient joiner) throws IOException {
        joiner.close();
        waiter.expect("/remote:close", "/status:waiting");
        assertQuiet(waiter, "the waiter after its peer left");
    }

    /** Sends texts and binaries alternately, each carrying its number. */
    private static void sendSequence(RelayClient sender, String tag) throws IOException {
        for (int i = 0; i < SEQUENCE; i++) {
            if (i % 2 == 0) {
                sender.send(tag + i);
            } else {
                sender.send((tag + i).getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static void expectSequence(RelayClient receiver, String tag) {
        for (int i = 0; i < SEQUENCE; i++) {
            if (i % 2 == 0) {
                assertEquals(tag + i, receiver.nextText(), "message " + i + " of " + SEQUENCE);
            } else {
                assertArrayEquals((tag + i).getBytes(StandardCharsets.UTF_8), receiver.nextBinary(),
                        "message " + i + " of " + SEQUENCE);
            }
        }
    }

    // ---- helpers

    /** Reads {@code /room:joined:<me>:<others>} and checks the others, in join order; returns my id. */
    private static String joinedAs(RelayClient member, List<String> others) {
        String joined = member.nextText();
        assertTrue(joined.startsWith("/room:joined:"), joined);
        int colon = joined.indexOf(':', "/room:joined:".length());
        assertTrue(colon > 0, joined);
        String id = joined.substring("/room:joined:".length(), colon);
        assertTrue(id.matches("[A-Za-z0-9_-]{1,32}"), "member id " + id);
        assertEquals(String.join(",", others), joined.substring(colon + 1), "the other members, in join order");
        return id;
    }

    private static void assertQuiet(RelayClient client, String who) {
        RelayClient.Event event = client.poll(QUIET);
        assertNull(event, () -> who + " got " + describe(event));
    }

    private static String describe(RelayClient.Event event) {
        if (event instanceof RelayClient.Binary binary) {
            return "a binary message of " + binary.data().length + " bytes";
        }
        return String.valueOf(event);
    }

    private RelayClient connect(URI uri) throws IOException {
        RelayClient client = RelayClient.connect(uri);
        clients.add(client);
        return client;
    }

    private URI onWildFly(String path) {
        return URI.create("ws://127.0.0.1:" + deployment.getPort() + "/" + path);
    }

    private static URI onLauncher(String path) {
        return URI.create(launcher.url(path));
    }

    private static URI wildFlyHealth() {
        return URI.create("http://127.0.0.1:" + requiredProperty("wildfly.http.port") + "/health");
    }

    /** Polls {@code /health} until it says {@code "cluster":"UP"}, for {@link #CLUSTER_UP} at most. */
    private static void awaitClusterUp(URI health, String node) throws Exception {
        long deadline = System.nanoTime() + CLUSTER_UP.toNanos();
        String last;
        while (true) {
            try {
                last = RelayNode.httpGet(health);
            } catch (IOException e) {
                last = e.toString();
            }
            if (last.startsWith("200 ") && last.contains("\"cluster\":\"UP\"")) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail(node + " did not join the cluster within " + CLUSTER_UP + "; " + health + " says " + last
                        + "\n" + launcher.output() + redis.log());
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    private static String requiredProperty(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            throw new IllegalStateException(name + " is not set: run the wildfly execution of failsafe (mvn verify)");
        }
        return value;
    }

    private static String newId() {
        return "x-" + UUID.randomUUID();
    }

    private static byte[] allByteValues() {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        return all;
    }

    private static byte[] bytes(int length, long seed) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }
}
