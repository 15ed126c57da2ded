package io.websocketrelay.relay;

import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.PathParam;
import jakarta.websocket.server.ServerEndpoint;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The WebSocket endpoint {@code /<id>}: turns the events of one connection into calls on {@link Pairings}. It holds
 * no state but the connection's {@link Peer}; one instance serves one connection.
 *
 * <p>{@code @Dependent} makes it a bean under annotated discovery too, so every container injects it.
 */
@Dependent
@ServerEndpoint("/{id}")
public class RelayEndpoint {

    private static final Logger LOG = Logger.getLogger(RelayEndpoint.class.getName());

    @Inject
    Pairings pairings;

    private Session session;
    private SessionTransport transport;
    private Peer peer;
    private int maxMessageBytes;

    @OnOpen
    public void open(Session session, @PathParam("id") String id) {
        this.session = session;
        this.maxMessageBytes = pairings.settings().maxMessageBytes();
        // the container enforces these for fragmented messages; whole frames are checked below
        session.setMaxTextMessageBufferSize(maxMessageBytes);
        session.setMaxBinaryMessageBufferSize(maxMessageBytes);
        transport = new SessionTransport(session);
        peer = pairings.join(id, transport);
        LOG.log(Level.FINE, "Session {0} joined id {1}", new Object[] {session.getId(), id});
    }

    @OnMessage
    public void text(String text) {
        if (Protocol.longerThan(text, maxMessageBytes)) {
            tooBig();
        } else {
            pairings.relay(peer, text);
        }
    }

    @OnMessage
    public void binary(ByteBuffer data) {
        if (data.remaining() > maxMessageBytes) {
            tooBig();
        } else {
            pairings.relay(peer, data);
        }
    }

    @OnClose
    public void close(CloseReason reason) {
        pairings.leave(peer);
        LOG.log(Level.FINE, "Session {0} closed: {1}", new Object[] {session == null ? "-" : session.getId(), reason});
    }

    @OnError
    public void error(Throwable failure) {
        pairings.leave(peer);
        if (isDisconnect(failure)) {
            LOG.log(Level.FINE, "Session {0} disconnected: {1}", new Object[] {sessionId(), failure});
        } else {
            LOG.log(Level.WARNING, "Session " + sessionId() + " failed", failure);
        }
    }

    private void tooBig() {
        LOG.log(Level.FINE, "Session {0} sent a message over {1} bytes", new Object[] {sessionId(), maxMessageBytes});
        pairings.leave(peer);
        transport.close(Protocol.CLOSE_TOO_BIG,
                "message too big: the limit is " + maxMessageBytes + " bytes");
    }

    private String sessionId() {
        return session == null ? "-" : session.getId();
    }

    /** An end of stream or a reset connection is a normal way to leave, not an error. */
    private static boolean isDisconnect(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof EOFException || t instanceof ClosedChannelException) {
                return true;
            }
            if (t instanceof IOException && t.getMessage() != null
                    && (t.getMessage().contains("reset") || t.getMessage().contains("Broken pipe"))) {
                return true;
            }
        }
        return false;
    }
}
