package io.websocketrelay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.websocketrelay.testing.RelayClient;
import io.websocketrelay.testing.RelayContract;
import io.websocketrelay.testing.RelayNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The relay contract against several launcher processes on one Redis, reached one way or another. */
abstract class ClusterContract extends RelayContract {

    /** @return the nodes of the relay under test */
    protected abstract List<RelayNode> nodes();

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
        for (RelayNode node : nodes()) {
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

    private long sum(String sample) throws Exception {
        long total = 0;
        for (RelayNode node : nodes()) {
            String metrics = RelayNode.httpGet(node.metrics());
            assertTrue(metrics.startsWith("200 "), metrics);
            total += metric(metrics.substring(4), sample);
        }
        return total;
    }

}
