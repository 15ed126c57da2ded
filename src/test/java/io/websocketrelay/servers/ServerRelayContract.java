package io.websocketrelay.servers;

import io.websocketrelay.testing.RelayContract;
import java.io.File;
import java.net.URL;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The relay contract against the WAR that {@code mvn package} built, deployed unchanged to an application server by
 * Arquillian. Each server has a small subclass with its {@code @Deployment}; the tests run in the client (the test
 * JVM) and reach the relay on loopback only, at the port Arquillian reports for the deployment, with the context
 * root {@code /} that the WAR's descriptors ask for.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
abstract class ServerRelayContract extends RelayContract {

    /** Where {@code mvn package} put the WAR; failsafe runs after it. */
    private static final File WAR = new File("target/websocket-relay.war");

    @ArquillianResource
    private URL deployment;

    /** @return the WAR as built, for a subclass's {@code @Deployment(testable = false)} */
    static WebArchive builtWar() {
        if (!WAR.isFile()) {
            throw new IllegalStateException(WAR.getAbsolutePath() + " is missing: run mvn verify, not the IT alone");
        }
        return ShrinkWrap.createFromZipFile(WebArchive.class, WAR);
    }

    /**
     * Loopback always: some servers (Payara Micro) advertise a non-loopback address of this machine, which the
     * tests must never contact.
     */
    @Override
    protected String host() {
        return "127.0.0.1";
    }

    @Override
    protected int port() {
        return deployment.getPort();
    }

    /**
     * The build gives every server a message limit other than the default ({@code servers.max-message-bytes} in
     * pom.xml), each through its own documented route, so the limit tests also show that the setting arrives.
     */
    @Override
    protected int maxMessageBytes() {
        String configured = System.getProperty("servers.max-message-bytes");
        if (configured == null) {
            throw new IllegalStateException("servers.max-message-bytes is not set: run the servers' ITs with Maven");
        }
        return Integer.parseInt(configured);
    }
}
