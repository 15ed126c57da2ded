package io.websocketrelay.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.websocketrelay.testing.RedisServer;
import io.websocketrelay.testing.RelayClient;
import io.websocketrelay.testing.RelayNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three launcher processes on one real Redis are one relay: pairs across nodes, in both directions, byte for byte.
 */
@Timeout(120)
class ClusterIT {

    private static Path dir;
    private static RedisServer redis;
    private static final List<RelayNode> nodes = new ArrayList<>();
    private final List<RelayClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("cluster-it");
        redis = RedisServer.start(dir.resolve("redis"));
        for (int i = 1; i <= 3; i++) { // each node says UP before the tests use it
            nodes.add(RelayNode.start(dir, "node" + i, "--redis", redis.url(), "--node-timeout-ms", "3000"));
            nodes.get(i - 1).awaitCluster("UP", java.time.Duration.ofSeconds(30));
        }
    }

    @AfterAll
    static void stop() {
        nodes.forEach(RelayNode::close);
        if (redis != null) {
            redis.close();
        }
    }

    @AfterEach
    void closeClients() throws IOException {
        for (RelayClient client : clients) {
            client.close();
        }
    }

    private RelayClient connect(int node, String id) throws IOException {
        RelayClient client = RelayClient.connect(URI.create(nodes.get(node).url(id)));
        clients.add(client);
        return client;
    }

    private static String newId() {
        return "c-" + UUID.randomUUID();
    }

    @Test
    void clientsOnTwoNodesArePairedAndRelayBothWays() throws Exception {
        String id = newId();
        RelayClient waiter = connect(0, id).expect("/status:waiting");
        RelayClient joiner = connect(1, id).expect("/status:connected");
        waiter.expect("/remote:open", "/status:connected");
        joiner.send("hello from node 2");
        waiter.expect("hello from node 2");
        waiter.send(new byte[] {0, 1, 2, (byte) 255});
        assertArrayEquals(new byte[] {0, 1, 2, (byte) 255}, joiner.nextBinary());
        waiter.send("é ✓ 😀");
        joiner.expect("é ✓ 😀");
        for (int i = 0; i < 500; i++) {
            joiner.send("m" + i);
        }
        for (int i = 0; i < 500; i++) {
            assertEquals("m" + i, waiter.nextText());
        }
        joiner.close();
        waiter.expect("/remote:close", "/status:waiting");
        RelayClient third = connect(2, id).expect("/status:connected");
        waiter.expect("/remote:open", "/status:connected");
        third.send("again");
        waiter.expect("again");
        String health = RelayNode.httpGet(nodes.get(0).health());
        assertTrue(health.contains("\"cluster\":\"UP\""), health);
    }
}
