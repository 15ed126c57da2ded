package io.websocketrelay.cluster;

import io.websocketrelay.testing.RedisServer;
import io.websocketrelay.testing.RelayNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The whole relay contract, pairs and rooms, against three launcher processes on one Redis, with the clients of
 * every test spread over the nodes: each connection goes to the next node in turn, so the two clients of a pair and
 * the members of a room are mostly on different nodes.
 */
class ClusterContractIT extends ClusterContract {

    private static Path dir;
    private static RedisServer redis;
    private static final List<RelayNode> nodes = new ArrayList<>();
    private static final AtomicInteger next = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("cluster-contract");
        redis = RedisServer.start(dir.resolve("redis"));
        for (int i = 1; i <= 3; i++) { // each node says UP before the tests use it
            nodes.add(RelayNode.start(dir, "node" + i, "--redis", redis.url()));
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

    @Override
    protected List<RelayNode> nodes() {
        return nodes;
    }

    /** Each call is the next node's port: every new connection lands on another node than the one before. */
    @Override
    protected int port() {
        return nodes.get(Math.floorMod(next.getAndIncrement(), nodes.size())).port();
    }
}
