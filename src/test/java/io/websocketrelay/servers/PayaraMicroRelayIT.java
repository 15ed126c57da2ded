package io.websocketrelay.servers;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** The relay contract against the WAR on Payara Micro (container {@code payara} in {@code arquillian.xml}). */
class PayaraMicroRelayIT extends ServerRelayContract {

    @Deployment(testable = false)
    static WebArchive war() {
        return builtWar();
    }
}
