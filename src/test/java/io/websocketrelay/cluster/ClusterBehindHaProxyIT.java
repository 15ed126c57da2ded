package io.websocketrelay.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.websocketrelay.testing.HaProxy;
import io.websocketrelay.testing.RedisServer;
import io.websocketrelay.testing.RelayNode;
import jakarta.websocket.CloseReason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The relay contract through a real HAProxy, round robin in front of three nodes on one Redis, with the shipped
 * {@code server-config/haproxy/haproxy.cfg}: the clients of a pair or a room land on different nodes, as behind any
 * load balancer, and must meet.
 */
class ClusterBehindHaProxyIT extends ClusterContract {

    private static Path dir;
    private static RedisServer redis;
    private static final List<RelayNode> nodes = new ArrayList<>();
    private static HaProxy haproxy;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("cluster-haproxy");
        redis = RedisServer.start(dir.resolve("redis"));
        List<Integer> ports = new ArrayList<>();
        for (int i = 1; i <= 3; i++) { // each node says UP before the tests use it
            RelayNode node = RelayNode.start(dir, "node" + i, "--redis", redis.url());
            nodes.add(node);
            ports.add(node.port());
            node.awaitCluster("UP", java.time.Duration.ofSeconds(30));
        }
        haproxy = HaProxy.start(HaProxy.BINARY, Path.of("server-config/haproxy/haproxy.cfg"), dir.resolve("haproxy"),
                ports);
    }

    @AfterAll
    static void stop() {
        if (haproxy != null) {
            haproxy.close();
        }
        nodes.forEach(RelayNode::close);
        if (redis != null) {
            redis.close();
        }
    }

    /** The nodes' count of messages refused as too big before each test. */
    private long tooBigBefore;

    @BeforeEach
    void countTooBig() throws Exception {
        tooBigBefore = closes1009();
    }

    /**
     * Through HAProxy, a client that is still sending a huge frame when the relay closes it with 1009 may get
     * HAProxy's abort (1006: the relay's socket was reset under unread data) instead of the close frame; the relay
     * must still have refused the message as too big (and closed it with 1009), which its counters show.
     */
    @Override
    protected void checkTooBigClose(CloseReason reason) throws IOException {
        if (reason.getCloseCode().getCode() == CloseReason.CloseCodes.CLOSED_ABNORMALLY.getCode()) {
            try {
                assertTrue(closes1009() > tooBigBefore, "HAProxy aborted the client and no node refused a message as too big");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            return;
        }
        super.checkTooBigClose(reason);
    }

    private static long closes1009() throws IOException, InterruptedException {
        long total = 0;
        for (RelayNode node : nodes) {
            for (String line : RelayNode.httpGet(node.metrics()).split("\n")) {
                if (line.startsWith("websocket_relay_messages_refused_total{reason=\"too_big\"} ")) {
                    total += Long.parseLong(line.substring(line.indexOf("} ") + 2).trim());
                }
            }
        }
        return total;
    }

    @Override
    protected List<RelayNode> nodes() {
        return nodes;
    }

    @Override
    protected int port() {
        return haproxy.port();
    }
}
