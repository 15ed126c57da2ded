package io.websocketrelay.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;
import org.glassfish.tyrus.client.SslEngineConfigurator;

/**
 * A test client on tyrus-client: connects to a relay URL and records every event (text, binary, close, error) in
 * order, so a test can wait for the next one with a bounded timeout.
 */
public final class RelayClient implements AutoCloseable {

    /** How long a test waits for one expected event. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** One event seen by the client. */
    public sealed interface Event permits Text, Binary, Closed, Failed {
    }

    /** A text message. */
    public record Text(String text) implements Event {
    }

    /** A binary message. */
    public record Binary(byte[] data) implements Event {
    }

    /** The connection closed. */
    public record Closed(CloseReason reason) implements Event {
    }

    /** The connection failed. */
    public record Failed(Throwable failure) implements Event {
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Session session;

    private RelayClient(ClientManager client, URI uri) throws IOException {
        try {
            this.session = client.connectToServer(new Recorder(), ClientEndpointConfig.Builder.create().build(), uri);
        } catch (DeploymentException e) {
            throw new IOException("cannot connect to " + uri + ": " + e.getMessage(), e);
        }
    }

    /**
     * Connects to a {@code ws://} URL. Each client has a client manager of its own: a shared one shuts its executors
     * down whenever its last session closes, racing with the next test's first send.
     */
    public static RelayClient connect(URI uri) throws IOException {
        return new RelayClient(newClient(), uri);
    }

    /** Connects to a {@code wss://} URL, trusting what {@code trust} trusts. */
    public static RelayClient connect(URI uri, SSLContext trust) throws IOException {
        ClientManager client = newClient();
        SslEngineConfigurator ssl = new SslEngineConfigurator(trust, true, false, false);
        ssl.setHostVerificationEnabled(false);
        client.getProperties().put(ClientProperties.SSL_ENGINE_CONFIGURATOR, ssl);
        return new RelayClient(client, uri);
    }

    private static ClientManager newClient() {
        ClientManager client = ClientManager.createClient();
        client.getProperties().put(ClientProperties.HANDSHAKE_TIMEOUT, (int) TIMEOUT.toMillis());
        return client;
    }

    /** @return the next event, failing the test when none comes in {@link #TIMEOUT} */
    public Event next() {
        try {
            Event event = events.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(event, "no message within " + TIMEOUT);
            return event;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** @return the next event, failing the test when none comes within {@code within} */
    public Event next(Duration within) {
        try {
            Event event = events.poll(within.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(event, "no message within " + within);
            return event;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** @return the next event if one comes within {@code within}, else {@code null} */
    public Event poll(Duration within) {
        try {
            return events.poll(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** @return the next event if one is already there, without waiting */
    public Event poll() {
        return events.poll();
    }

    /** @return the next event, which must be a text message */
    public String nextText() {
        Event event = next();
        return assertInstanceOf(Text.class, event, () -> "expected a text message, got " + event).text();
    }

    /** @return the next event, which must be a binary message */
    public byte[] nextBinary() {
        Event event = next();
        return assertInstanceOf(Binary.class, event, () -> "expected a binary message, got " + event).data();
    }

    /** Waits for these text messages, in this order, as the next events. */
    public RelayClient expect(String... texts) {
        for (String text : texts) {
            assertEquals(text, nextText());
        }
        return this;
    }

    /** @return the close reason, skipping any message that comes before the close */
    public CloseReason awaitClose() {
        while (true) {
            Event event = next();
            if (event instanceof Closed closed) {
                return closed.reason();
            }
            if (event instanceof Failed failed) {
                throw new AssertionError("connection failed instead of closing", failed.failure());
            }
        }
    }

    public void send(String text) throws IOException {
        session.getBasicRemote().sendText(text);
    }

    public void send(byte[] data) throws IOException {
        session.getBasicRemote().sendBinary(ByteBuffer.wrap(data));
    }

    /** Sends one text message as several frames. */
    public void sendFragmented(String... parts) throws IOException {
        for (int i = 0; i < parts.length; i++) {
            session.getBasicRemote().sendText(parts[i], i == parts.length - 1);
        }
    }

    /** Sends one binary message as several frames. */
    public void sendFragmented(byte[]... parts) throws IOException {
        for (int i = 0; i < parts.length; i++) {
            session.getBasicRemote().sendBinary(ByteBuffer.wrap(parts[i]), i == parts.length - 1);
        }
    }

    public Session session() {
        return session;
    }

    public boolean isOpen() {
        return session.isOpen();
    }

    @Override
    public void close() throws IOException {
        if (session.isOpen()) {
            session.close();
        }
    }

    private final class Recorder extends Endpoint {

        @Override
        public void onOpen(Session opened, EndpointConfig config) {
            // here, not after connecting: the relay may close the session at once
            opened.setMaxTextMessageBufferSize(16 * 1024 * 1024);
            opened.setMaxBinaryMessageBufferSize(16 * 1024 * 1024);
            opened.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> events.add(new Text(text)));
            opened.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) data -> {
                byte[] copy = new byte[data.remaining()];
                data.get(copy);
                events.add(new Binary(copy));
            });
        }

        @Override
        public void onClose(Session closed, CloseReason reason) {
            events.add(new Closed(reason));
        }

        @Override
        public void onError(Session failed, Throwable failure) {
            events.add(new Failed(failure));
        }
    }

    @Override
    public String toString() {
        return "RelayClient[" + session.getId() + "]";
    }
}
