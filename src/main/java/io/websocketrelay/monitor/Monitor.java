package io.websocketrelay.monitor;

import io.websocketrelay.core.Pairs;
import io.websocketrelay.core.Registry;
import io.websocketrelay.core.RelayStats;
import io.websocketrelay.core.Rooms;
import jakarta.enterprise.context.ApplicationScoped;
import io.websocketrelay.cluster.Cluster;
import jakarta.inject.Inject;
import java.util.Locale;
import java.util.Map;

/** Renders the relay's state and counters for {@code /health} and {@code /metrics}, in the launcher and the WAR. */
@ApplicationScoped
public class Monitor {

    /** Content type of {@link #metrics}. */
    public static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** Content type of {@link #health}. */
    public static final String HEALTH_CONTENT_TYPE = "application/json";

    private static final String PREFIX = "websocket_relay_";

    private final Registry registry;
    private final Pairs pairs;
    private final Rooms rooms;
    private final RelayStats stats;
    private final Cluster cluster;

    /** For the container's client proxy only. */
    protected Monitor() {
        this(null, null, null, null, null);
    }

    @Inject
    public Monitor(Registry registry, Pairs pairs, Rooms rooms, RelayStats stats, Cluster cluster) {
        this.registry = registry;
        this.pairs = pairs;
        this.rooms = rooms;
        this.stats = stats;
        this.cluster = cluster;
    }

    /** @return HTTP status for {@code /health}: 200 while the relay takes clients, 503 once it is stopping */
    public int healthStatus() {
        return registry.isAccepting() ? 200 : 503;
    }

    /**
     * @return the JSON of {@code /health}: liveness and readiness with the main gauges; a node of a cluster adds
     *         {@code cluster} ({@code UP} or {@code DEGRADED}: still serving its own clients), its {@code node} id
     *         and its cross-node {@code links}
     */
    public String health() {
        String clusterFields = cluster.state() == Cluster.State.SINGLE ? ""
                : String.format(Locale.ROOT, ",\"cluster\":\"%s\",\"node\":\"%s\",\"links\":%d", cluster.state(),
                        cluster.nodeId(), cluster.links());
        return String.format(Locale.ROOT,
                "{\"status\":\"%s\",\"connections\":%d,\"waiting\":%d,\"pairs\":%d,\"rooms\":%d,\"members\":%d%s}%n",
                registry.isAccepting() ? "UP" : "STOPPING", registry.connections(), pairs.waiting(), pairs.pairs(),
                rooms.rooms(), rooms.members(), clusterFields);
    }

    /** @return every metric in the Prometheus text format */
    public String metrics() {
        StringBuilder out = new StringBuilder(2048);
        gauge(out, "connections", "Open WebSocket connections.", registry.connections());
        gauge(out, "waiting", "Clients waiting alone on an id for a peer.", pairs.waiting());
        gauge(out, "paired", "Clients in a pair.", 2L * pairs.pairs());
        gauge(out, "rooms", "Rooms with members.", rooms.rooms());
        gauge(out, "room_members", "Clients in a room.", rooms.members());
        counter(out, "connections_opened_total", "Connections accepted since start.", stats.connectionsOpened());
        counter(out, "pairs_made_total", "Pairs matched since start.", stats.pairsMade());
        header(out, "messages_relayed_total", "Messages relayed to a peer, by type.", "counter");
        sample(out, "messages_relayed_total", "type", "text", stats.textMessages());
        sample(out, "messages_relayed_total", "type", "binary", stats.binaryMessages());
        header(out, "relayed_bytes_total", "Payload relayed to a peer, in bytes (UTF-8 bytes of text).", "counter");
        sample(out, "relayed_bytes_total", "type", "text", stats.textBytes());
        sample(out, "relayed_bytes_total", "type", "binary", stats.binaryBytes());
        counter(out, "room_deliveries_total", "Room messages queued on a receiver, one per receiver.",
                stats.roomDeliveries());
        header(out, "messages_refused_total",
                "Messages not relayed: sent while alone, over the size limit, over the rate limit, to no such member, "
                + "or with a reserved prefix.", "counter");
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
