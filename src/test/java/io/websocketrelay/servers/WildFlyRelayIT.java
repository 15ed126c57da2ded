package io.websocketrelay.servers;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** The relay contract against the WAR on WildFly (container {@code wildfly} in {@code arquillian.xml}). */
class WildFlyRelayIT extends ServerRelayContract {

    @Deployment(testable = false)
    static WebArchive war() {
        return builtWar();
    }
}
