package io.websocketrelay.launcher;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.websocketrelay.config.RelaySettings;
import io.websocketrelay.testing.RelayContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The relay contract against the standalone launcher, started in this JVM on an ephemeral port. */
class StandaloneRelayIT extends RelayContract {

    private static RelayServer server;

    @BeforeAll
    static void start() throws StartupException {
        server = RelayServer.start(Options.of("127.0.0.1", 0, RelaySettings.defaults()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Override
    protected String host() {
        return "127.0.0.1";
    }

    @Override
    protected int port() {
        return server.port();
    }

    @Override
    protected void checkStalledReaderBound(long sentBytes) {
        long limit = server.settings().sendBufferBytes();
        long mark = server.stats().sendQueueHighWaterMark();
        assertTrue(mark <= limit, "queued " + mark + " bytes for one receiver, limit " + limit);
        assertTrue(sentBytes > limit, "the receiver was dropped before its buffer could fill");
    }
}
