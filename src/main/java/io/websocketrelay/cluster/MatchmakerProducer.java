package io.websocketrelay.cluster;

import io.websocketrelay.config.RelaySettings;
import io.websocketrelay.core.LocalMatchmaker;
import io.websocketrelay.core.Matchmaker;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** Chooses the relay's {@link Matchmaker}: the cluster's when a Redis is set, else the in-memory one. */
@ApplicationScoped
public class MatchmakerProducer {

    @Produces
    @ApplicationScoped
    Matchmaker matchmaker(RelaySettings settings, Cluster cluster) {
        return settings.clustered() ? cluster.matchmaker() : new LocalMatchmaker();
    }
}
