package io.websocketrelay.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Gives the relay its settings on an application server, read once from the environment and system properties.
 * The standalone launcher does not use it: it registers the settings from its command line instead.
 */
@ApplicationScoped
public class SettingsProducer {

    private final RelaySettings settings = RelaySettings.fromEnvironment();

    /** {@code @Singleton}: no proxy, and no dependent instance tracked per endpoint (see {@code StatsProducer}). */
    @Produces
    @Singleton
    RelaySettings settings() {
        return settings;
    }
}
