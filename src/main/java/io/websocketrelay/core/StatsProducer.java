package io.websocketrelay.core;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Gives every bean the relay's one {@link RelayStats}. The product is {@code @Singleton}, a pseudo-scope: an
 * injection point holds the counters themselves, not a client proxy (they are touched for every relayed message, and
 * a call through Weld's proxy sets and clears a thread-local each time), and unlike a {@code @Dependent} product it
 * adds no dependent instance for the container to track in every endpoint it creates (measured with a class
 * histogram: three Weld objects per connection).
 */
@ApplicationScoped
public class StatsProducer {

    private final RelayStats stats = new RelayStats();

    @Produces
    @Singleton
    RelayStats stats() {
        return stats;
    }
}
