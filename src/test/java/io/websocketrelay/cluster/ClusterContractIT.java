package io.websocketrelay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.websocketrelay.testing.RedisServer;
import io.websocketrelay.testing.RelayClient;
import io.websocketrelay.testing.RelayContract;
import io.websocketrelay.testing.RelayNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole relay contract, pairs and rooms, against three launcher processes on one Redis, with the clients of
 * every test spread over the nodes: each connection goes to the next node in turn, so the two clients of a pair and
 * the members of a room are mostly on different nodes.
 */
class ClusterContractIT extends RelayContract {

    private static Path dir;
    private static RedisServer redis;
    private static final List<RelayNode> nodes = new ArrayList<>();
    private static final AtomicInteger next = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("cluster-contract");
        redis = RedisServer.start(dir.resolve("redis"));
        for (int i = 1; i <= 3; i++) {
            nodes.add(RelayNode.start(dir, "node" + i, "--redis", redis.url()));
        }
    }

    @AfterAll
    static void stop() {
        nodes.forEach(RelayNode::close);
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    protected String host() {
        return "127.0.0.1";
    }

    /**
     * The contract's check of {@code /health} and {@code /metrics}, summed over the nodes: every node serves both,
     * says it is one node of an {@code UP} cluster, and the counters of the nodes together count the pair made and
     * the message relayed.
     */
    @Override
    @Test
    protected void healthAndMetricsAreServed() throws Exception {
        for (RelayNode node : nodes) {
            String health = RelayNode.httpGet(node.health());
            assertTrue(health.startsWith("200 ") && health.contains("\"status\":\"UP\"")
                    && health.contains("\"cluster\":\"UP\""), health);
        }
        long relayedBefore = sum("websocket_relay_messages_relayed_total{type=\"text\"}");
        long pairsBefore = sum("websocket_relay_pairs_made_total");
        RelayClient[] pair = pair();
        pair[0].send("counted");
        assertEquals("counted", pair[1].nextText());
        assertTrue(sum("websocket_relay_messages_relayed_total{type=\"text\"}") >= relayedBefore + 1);
        assertTrue(sum("websocket_relay_pairs_made_total") >= pairsBefore + 1);
        assertTrue(sum("websocket_relay_connections") >= 2);
    }

    private static long sum(String sample) throws Exception {
        long total = 0;
        for (RelayNode node : nodes) {
            String metrics = RelayNode.httpGet(node.metrics());
            assertTrue(metrics.startsWith("200 "), metrics);
            total += metric(metrics.substring(4), sample);
        }
        return total;
    }

    /** Each call is the next node's port: every new connection lands on another node than the one before. */
    @Override
    protected int port() {
        return nodes.get(Math.floorMod(next.getAndIncrement(), nodes.size())).port();
    }
}
