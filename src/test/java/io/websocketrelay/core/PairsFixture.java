package io.websocketrelay.core;

import io.websocketrelay.config.RelaySettings;
import io.websocketrelay.monitor.Monitor;
import java.nio.ByteBuffer;

/** The pair protocol wired by hand, as the containers wire it, in one process with in-memory matching. */
public final class PairsFixture {

    private final RelayStats stats = new RelayStats();
    private final Registry registry;
    private final Pairs pairs;
    private final RelaySettings settings;

    public PairsFixture(RelaySettings settings) {
        this.settings = settings;
        registry = new Registry(settings, stats);
        pairs = new Pairs(registry, new LocalMatchmaker(), settings, stats);
    }

    public Peer join(String id, Transport transport) {
        return pairs.join(id, transport);
    }

    public void relay(Peer from, String text) {
        pairs.relay(from, Outbound.text(text));
    }

    public void relay(Peer from, ByteBuffer data) {
        pairs.relay(from, Outbound.binary(data));
    }

    public void leave(Peer peer) {
        pairs.leave(peer);
    }

    public int waiting() {
        return pairs.waiting();
    }

    public int connections() {
        return registry.connections();
    }

    public void shutdown() {
        registry.shutdown();
    }

    public long sendQueueHighWaterMark() {
        return stats.sendQueueHighWaterMark();
    }

    public RelayStats stats() {
        return stats;
    }

    public Monitor monitor() {
        return new Monitor(registry, pairs, new Rooms(registry, settings, stats), stats,
                new io.websocketrelay.cluster.Cluster(settings, stats, null, null));
    }
}
