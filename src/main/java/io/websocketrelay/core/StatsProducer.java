package io.websocketrelay.core;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/**
 * Gives every bean the relay's one {@link RelayStats}. The product is {@code @Dependent}, so an injection point holds
 * the counters themselves, not a client proxy: they are touched for every relayed message, and a call through
 * Weld's proxy sets and clears a thread-local each time.
 */
@ApplicationScoped
public class StatsProducer {

    private final RelayStats stats = new RelayStats();

    @Produces
    RelayStats stats() {
        return stats;
    }
}
