package io.websocketrelay.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.websocketrelay.config.RelaySettings;
import io.websocketrelay.core.Outbound;
import io.websocketrelay.core.PairsFixture;
import io.websocketrelay.core.Peer;
import io.websocketrelay.core.Transport;
import java.nio.ByteBuffer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class MonitorTest {

    private final PairsFixture pairings = new PairsFixture(RelaySettings.defaults());

    /** A connection that takes every send at once. */
    private static final class Sink implements Transport {
        @Override
        public void send(Outbound message, SendCallback done) {
            done.sent(null);
        }

        @Override
        public void ping() {
        }

        @Override
        public void close(int code, String reason) {
        }
    }

    @Test
    void metricsCountWhatHappened() {
        Peer a = pairings.join("m", new Sink());
        Peer b = pairings.join("m", new Sink());
        Peer alone = pairings.join("n", new Sink());
        pairings.relay(a, "four");
        pairings.relay(b, ByteBuffer.wrap(new byte[10]));
        pairings.relay(alone, "nobody");
        pairings.stats().closed(1000);
        String metrics = pairings.monitor().metrics();
        assertSample(metrics, "websocket_relay_connections 3");
        assertSample(metrics, "websocket_relay_waiting 1");
        assertSample(metrics, "websocket_relay_paired 2");
        assertSample(metrics, "websocket_relay_pairs_made_total 1");
        assertSample(metrics, "websocket_relay_messages_relayed_total{type=\"text\"} 1");
        assertSample(metrics, "websocket_relay_relayed_bytes_total{type=\"text\"} 4");
        assertSample(metrics, "websocket_relay_messages_relayed_total{type=\"binary\"} 1");
        assertSample(metrics, "websocket_relay_relayed_bytes_total{type=\"binary\"} 10");
        assertSample(metrics, "websocket_relay_messages_refused_total{reason=\"alone\"} 1");
        assertSample(metrics, "websocket_relay_messages_refused_total{reason=\"too_big\"} 0");
        assertSample(metrics, "websocket_relay_sessions_closed_total{code=\"1000\"} 1");
        pairings.leave(b);
        assertSample(pairings.monitor().metrics(), "websocket_relay_paired 0");
    }

    @Test
    void everySampleHasHelpAndType() {
        String metrics = pairings.monitor().metrics();
        Pattern sample = Pattern.compile("^(websocket_relay_[a-z_]+)(\\{[a-z_]+=\"[^\"]*\"})? \\d+$");
        for (String line : metrics.split("\n")) {
            if (line.startsWith("#")) {
                assertTrue(line.matches("# (HELP|TYPE) websocket_relay_[a-z_]+ .+"), line);
            } else {
                var matcher = sample.matcher(line);
                assertTrue(matcher.matches(), line);
                assertTrue(metrics.contains("# TYPE " + matcher.group(1) + " "), line);
            }
        }
    }

    @Test
    void healthIsUpUntilShutdown() {
        assertEquals(200, pairings.monitor().healthStatus());
        assertTrue(pairings.monitor().health().contains("\"status\":\"UP\""));
        pairings.shutdown();
        assertEquals(503, pairings.monitor().healthStatus());
        assertTrue(pairings.monitor().health().contains("\"status\":\"STOPPING\""));
    }

    private static void assertSample(String metrics, String line) {
        assertTrue(metrics.lines().anyMatch(line::equals), () -> "no line '" + line + "' in\n" + metrics);
    }
}
