package io.websocketrelay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.websocketrelay.config.RelaySettings;
import io.websocketrelay.testing.RelayClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The launcher's plain HTTP side, with a scope: the page, health and metrics, and what it refuses. */
@Timeout(30)
class HttpPagesIT {

    private static RelayServer server;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws StartupException {
        server = RelayServer.start(new Options("127.0.0.1", 0, "pre", null, RelaySettings.defaults()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + server.port() + path);
        return HTTP.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(RelayClient.TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void pageIsServedAtTheRootAndUnderTheScope() throws Exception {
        for (String path : new String[] {"/", "/pre/", "/pre", "/index.html", "/pre/index.html"}) {
            HttpResponse<String> page = send("GET", path);
            assertEquals(200, page.statusCode(), path);
            assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), path);
            assertTrue(page.body().contains("websocket-relay"), path);
        }
    }

    @Test
    void healthAndMetricsAreServedUnderTheScopeToo() throws Exception {
        assertEquals(200, send("GET", "/pre/health").statusCode());
        assertTrue(send("GET", "/pre/metrics").body().contains("# TYPE websocket_relay_connections gauge"));
        assertEquals(200, send("HEAD", "/health").statusCode());
    }

    @Test
    void unknownFilesAndOtherMethodsAreRefused() throws Exception {
        assertEquals(404, send("GET", "/nothing.html").statusCode());
        assertEquals(404, send("GET", "/WEB-INF/beans.xml").statusCode());
        assertEquals(404, send("GET", "/../pom.xml").statusCode());
        assertEquals(404, send("GET", "/no-extension").statusCode());
        assertEquals(405, send("POST", "/health").statusCode());
    }
}
