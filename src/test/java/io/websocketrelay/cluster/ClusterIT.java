package io.websocketrelay.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.websocketrelay.testing.RedisServer;
import io.websocketrelay.testing.RelayClient;
import io.websocketrelay.testing.RelayNode;
import io.websocketrelay.testing.WireClient;
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

    /**
     * A receiver on node 2 that stops reading while a client on node 1 floods it: node 2 closes it with 1008 when its
     * own send buffer is full, the sender hears /remote:close, and neither node nor Redis holds more than a bounded
     * amount meanwhile (the figures are printed).
     */
    @Test
    void stalledReaderOnAnotherNodeIsDroppedThereAndNothingGrowsWithoutBound() throws Exception {
        String id = newId();
        RelayNode senderNode = nodes.get(0);
        RelayNode receiverNode = nodes.get(1);
        long droppedBefore = metric(receiverNode, "websocket_relay_slow_receivers_dropped_total");
        long redisBefore = redis.usedMemory();
        long senderRssBefore = senderNode.rssBytes();
        long receiverRssBefore = receiverNode.rssBytes();
        try (WireClient stalled = WireClient.upgrade("127.0.0.1", receiverNode.port(), "/" + id, 4096)) {
            assertEquals("/status:waiting", stalled.readText());
            RelayClient sender = connect(0, id).expect("/status:connected");
            assertEquals("/remote:open", stalled.readText());
            assertEquals("/status:connected", stalled.readText());
            byte[] chunk = new byte[65_536];
            long redisPeak = redisBefore;
            RelayClient.Event event = null;
            int sent = 0;
            // bounded: a relay that buffered without limit would be caught long before 400 MB
            while (sent < 6400 && event == null) {
                sender.send(chunk);
                sent++;
                if (sent % 64 == 0) {
                    redisPeak = Math.max(redisPeak, redis.usedMemory());
                }
                event = sender.poll();
            }
            assertEquals(new RelayClient.Text("/remote:close"), event, "after " + sent + " messages of 64 KiB");
            long senderRss = senderNode.rssBytes();
            long receiverRss = receiverNode.rssBytes();
            System.out.printf("[cluster] stalled reader across nodes: dropped after %d messages (%d MiB sent);"
                    + " Redis used memory +%d KiB at most; RSS sender node +%d MiB, receiver node +%d MiB%n", sent,
                    sent / 16, (redisPeak - redisBefore) / 1024, (senderRss - senderRssBefore) >> 20,
                    (receiverRss - receiverRssBefore) >> 20);
            assertEquals(droppedBefore + 1, metric(receiverNode, "websocket_relay_slow_receivers_dropped_total"),
                    "the receiver's node closed it as a slow receiver");
            assertTrue(redisPeak - redisBefore < 32L << 20, "Redis grew by " + (redisPeak - redisBefore) + " bytes");
            assertTrue(sent > 16, "the receiver was dropped before 1 MiB could be queued for it");
            // the sender is matched again and can pair on
            sender.expect("/status:waiting");
        }
    }

    private static long metric(RelayNode node, String sample) throws Exception {
        for (String line : RelayNode.httpGet(node.metrics()).split("\n")) {
            if (line.startsWith(sample + " ")) {
                return Long.parseLong(line.substring(sample.length() + 1).trim());
            }
        }
        throw new AssertionError("no " + sample + " on " + node);
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
