package io.websocketrelay.servers;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** The relay contract against the WAR on GlassFish (container {@code glassfish} in {@code arquillian.xml}). */
class GlassFishRelayIT extends ServerRelayContract {

    @Deployment(testable = false)
    static WebArchive war() {
        return builtWar();
    }
}
