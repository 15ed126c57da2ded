package io.websocketrelay.servers;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** The relay contract against the WAR on Open Liberty (container {@code liberty} in {@code arquillian.xml}). */
class LibertyRelayIT extends ServerRelayContract {

    @Deployment(testable = false)
    static WebArchive war() {
        return builtWar();
    }
}
