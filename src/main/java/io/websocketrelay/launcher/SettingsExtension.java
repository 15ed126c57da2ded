package io.websocketrelay.launcher;

import io.websocketrelay.config.RelaySettings;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.inject.Singleton;

/** Makes the launcher's {@link RelaySettings}, taken from its command line, the one the relay is injected with. */
public final class SettingsExtension implements Extension {

    private final RelaySettings settings;

    SettingsExtension(RelaySettings settings) {
        this.settings = settings;
    }

    void register(@Observes AfterBeanDiscovery event) {
        event.addBean()
                .beanClass(RelaySettings.class)
                .types(RelaySettings.class, Object.class)
                .scope(Singleton.class)
                .createWith(context -> settings);
    }
}
