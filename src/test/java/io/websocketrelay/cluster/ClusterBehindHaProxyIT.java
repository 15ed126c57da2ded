package io.websocketrelay.cluster;

import io.websocketrelay.testing.HaProxy;
import io.websocketrelay.testing.RedisServer;
import io.websocketrelay.testing.RelayNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

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

    @Override
    protected List<RelayNode> nodes() {
        return nodes;
    }

    @Override
    protected int port() {
        return haproxy.port();
    }
}
