package io.websocketrelay.monitor;

import io.websocketrelay.core.Pairings;
import io.websocketrelay.core.RelayStats;
import java.util.Locale;
import java.util.Map;

/** Renders the state and counters of {@link Pairings} for {@code /health} and {@code /metrics}. */
public final class Monitor {

    /** Content type of {@link #metrics}. */
    public static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** Content type of {@link #health}. */
    public static final String HEALTH_CONTENT_TYPE = "application/json";

    private static final String PREFIX = "websocket_relay_";

    private Monitor() {
    }

    /** @return HTTP status for {@code /health}: 200 while the relay takes clients, 503 once it is stopping */
    public static int healthStatus(Pairings pairings) {
        return pairings.isAccepting() ? 200 : 503;
    }

    /** @return the JSON of {@code /health}: liveness and readiness with the main gauges */
    public static String health(Pairings pairings) {
        return String.format(Locale.ROOT,
                "{\"status\":\"%s\",\"connections\":%d,\"waiting\":%d,\"pairs\":%d}%n",
                pairings.isAccepting() ? "UP" : "STOPPING", pairings.connections(), pairings.waiting(), pairings.pairs());
    }

    /** @return every metric in the Prometheus text format */
    public static String metrics(Pairings pairings) {
        RelayStats stats = pairings.stats();
        StringBuilder out = new StringBuilder(2048);
        gauge(out, "connections", "Open WebSocket connections.", pairings.connections());
        gauge(out, "waiting", "Clients waiting alone on an id for a peer.", pairings.waiting());
        gauge(out, "paired", "Clients in a pair.", 2L * pairings.pairs());
        counter(out, "connections_opened_total", "Connections accepted since start.", stats.connectionsOpened());
        counter(out, "pairs_made_total", "Pairs matched since start.", stats.pairsMade());
        header(out, "messages_relayed_total", "Messages relayed to a peer, by type.", "counter");
        sample(out, "messages_relayed_total", "type", "text", stats.textMessages());
        sample(out, "messages_relayed_total", "type", "binary", stats.binaryMessages());
        header(out, "relayed_bytes_total", "Payload relayed to a peer: characters of text, bytes of binary.", "counter");
        sample(out, "relayed_bytes_total", "type", "text", stats.textChars());
        sample(out, "relayed_bytes_total", "type", "binary", stats.binaryBytes());
        header(out, "messages_refused_total",
                "Messages not relayed: sent while alone, over the size limit, or over the rate limit.", "counter");
        for (Map.Entry<RelayStats.Refusal, Long> entry : stats.refused().entrySet()) {
            sample(out, "messages_refused_total", "reason", entry.getKey().name().toLowerCase(Locale.ROOT),
                    entry.getValue());
        }
        header(out, "sessions_closed_total", "Sessions ended, by WebSocket close code.", "counter");
        for (Map.Entry<Integer, Long> entry : stats.closes().entrySet()) {
            sample(out, "sessions_closed_total", "code", entry.getKey().toString(), entry.getValue());
        }
        header(out, "sessions_closed_by_relay_total",
                "Sessions the relay closed itself: no answer to pings, idle, over the rate limit.", "counter");
        for (Map.Entry<String, Long> entry : stats.closedBy().entrySet()) {
            sample(out, "sessions_closed_by_relay_total", "reason", entry.getKey(), entry.getValue());
        }
        counter(out, "slow_receivers_dropped_total", "Receivers closed with 1008 because their send buffer filled.",
                stats.slowReceiversDropped());
        counter(out, "send_failures_total", "Sends to a client that failed.", stats.sendFailures());
        header(out, "handshakes_refused_total", "Upgrade requests refused, by reason.", "counter");
        for (Map.Entry<String, Long> entry : stats.handshakesRefused().entrySet()) {
            sample(out, "handshakes_refused_total", "reason", entry.getKey(), entry.getValue());
        }
        gauge(out, "send_queue_high_water_mark_bytes", "The most bytes ever queued for one receiver.",
                stats.sendQueueHighWaterMark());
        return out.toString();
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        header(out, name, help, "gauge");
        out.append(PREFIX).append(name).append(' ').append(value).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        header(out, name, help, "counter");
        out.append(PREFIX).append(name).append(' ').append(value).append('\n');
    }

    private static void header(StringBuilder out, String name, String help, String type) {
        out.append("# HELP ").append(PREFIX).append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(PREFIX).append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder out, String name, String label, String value, long count) {
        out.append(PREFIX).append(name).append('{').append(label).append("=\"").append(value).append("\"} ")
                .append(count).append('\n');
    }
}
