package io.websocketrelay.load;

import io.websocketrelay.core.Protocol;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One client connection of the load tool: tells the relay's control messages apart from data, completes a future
 * for {@code /status:waiting}, {@code /status:connected} and the close, and hands data to its {@link Sink}. A room
 * member instead hands every control message to its own handler, which completes {@link #connected} once the member
 * sees its room complete.
 */
final class Conn extends Endpoint {

    /** Where the data a connection receives goes; called on one thread at a time per connection. */
    interface Sink {
        void text(String text);

        void binary(ByteBuffer data);

        /** @return a sink that decodes every payload of {@code size} bytes and hands its stamp to {@code take} */
        static Sink stamps(int size, Consumer<Payload.Stamp> take) {
            return stamps(size, false, take);
        }

        /** @return the same for payloads that are {@code timed} (carry their send time) or not */
        static Sink stamps(int size, boolean timed, Consumer<Payload.Stamp> take) {
            return new Sink() {
                @Override
                public void text(String text) {
                    take.accept(timed ? Payload.decodeTimed(text, size) : Payload.decode(text, size));
                }

                @Override
                public void binary(ByteBuffer data) {
                    take.accept(timed ? Payload.decodeTimed(data, size) : Payload.decode(data, size));
                }
            };
        }
    }

    /** Control messages start with this; payloads never do. */
    static final String CONTROL = "/";

    final CompletableFuture<Void> waiting = new CompletableFuture<>();
    /** Data may come from now on: {@code /status:connected}, or a room member's room complete. */
    final CompletableFuture<Void> connected = new CompletableFuture<>();
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final Errors errors;
    private volatile Sink sink;
    private volatile Consumer<String> control;
    private volatile CloseReason closeReason;
    private volatile Session session;
    private volatile boolean peerGone;

    /** @param errors where data before {@code /status:connected} and failures are counted */
    Conn(Errors errors) {
        this.errors = errors;
    }

    /** Sets where data goes; set it before the peer can send. */
    Conn sink(Sink newSink) {
        this.sink = newSink;
        return this;
    }

    /**
     * Hands every control message to {@code handler} instead of the pair protocol's handling (rooms); set it before
     * the connection opens. It runs on one thread at a time, in order with the data.
     */
    Conn control(Consumer<String> handler) {
        this.control = handler;
        return this;
    }

    @Override
    public void onOpen(Session opened, EndpointConfig config) {
        this.session = opened;
        opened.setMaxTextMessageBufferSize(Clients.MAX_MESSAGE);
        opened.setMaxBinaryMessageBufferSize(Clients.MAX_MESSAGE);
        opened.setMaxIdleTimeout(-1); // 0 makes Tyrus schedule a no-op timer task per message
        opened.addMessageHandler(String.class, (MessageHandler.Whole<String>) this::onText);
        opened.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) this::onBinary);
    }

    private void onText(String text) {
        if (text.startsWith(CONTROL)) {
            Consumer<String> handler = control;
            if (handler != null) {
                handler.accept(text);
                return;
            }
            switch (text) {
                case Protocol.WAITING -> waiting.complete(null);
                case Protocol.CONNECTED -> connected.complete(null);
                case Protocol.REMOTE_CLOSE -> peerGone = true;
                default -> {
                }
            }
            return;
        }
        Sink to = sink;
        if (!connected.isDone() || to == null) {
            errors.unexpected.increment();
        } else {
            to.text(text);
        }
    }

    private void onBinary(ByteBuffer data) {
        Sink to = sink;
        if (!connected.isDone() || to == null) {
            errors.unexpected.increment();
        } else {
            to.binary(data);
        }
    }

    @Override
    public void onClose(Session session, CloseReason reason) {
        closeReason = reason;
        closed.complete(null);
    }

    @Override
    public void onError(Session session, Throwable failure) {
        if (!closed.isDone()) {
            errors.io.increment();
        }
    }

    /** @return the close code and reason, as {@code 1013 room full: 50 members}, or {@code open} */
    String closeReason() {
        CloseReason reason = closeReason;
        return reason == null ? "open" : reason.getCloseCode().getCode() + " " + reason.getReasonPhrase();
    }

    /** @return whether the relay said {@code /remote:close} */
    boolean peerGone() {
        return peerGone;
    }

    /** Sends text or binary asynchronously; {@code done} is told of the outcome. */
    void send(Object message, SendHandler done) {
        if (message instanceof String text) {
            session.getAsyncRemote().sendText(text, done);
        } else {
            session.getAsyncRemote().sendBinary((ByteBuffer) message, done);
        }
    }

    /** Sends asynchronously, counting a failure. */
    void send(Object message) {
        send(message, result -> {
            if (!result.isOK()) {
                errors.io.increment();
            }
        });
    }

    /** Starts the closing handshake; never throws. */
    void close() {
        Session s = session;
        if (s == null) {
            return;
        }
        try {
            s.close();
        } catch (IOException | RuntimeException e) {
            closed.complete(null);
        }
    }
}
