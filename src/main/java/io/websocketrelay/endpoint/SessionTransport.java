package io.websocketrelay.endpoint;

import io.websocketrelay.core.Outbound;
import io.websocketrelay.core.Protocol;
import io.websocketrelay.core.Transport;
import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A {@link Transport} over a {@code jakarta.websocket} session and its async remote: text through {@code sendText},
 * binary through {@code sendBinary}. A container may send text its own way ({@link #sendText}).
 *
 * <p>Threading: the relay keeps at most one send in flight, so the one {@link SendHandler} of this transport serves
 * every send; the callback it reports to is set before each send, which happens-before its completion.
 */
public class SessionTransport implements Transport, SendHandler {

    private static final Logger LOG = Logger.getLogger(SessionTransport.class.getName());
    private static final int MAX_REASON_BYTES = 123;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final Session session;
    private final RemoteEndpoint.Async remote;
    private volatile SendCallback callback;

    public SessionTransport(Session session) {
        this.session = session;
        this.remote = session.getAsyncRemote();
    }

    @Override
    public final void send(Outbound message, SendCallback done) {
        callback = done;
        if (message.isText()) {
            sendText(message, remote, this);
        } else {
            remote.sendBinary(message.bytes(), this);
        }
    }

    /** Sends a text message; {@code handler} must be told once when it was written or failed. */
    protected void sendText(Outbound message, RemoteEndpoint.Async remote, SendHandler handler) {
        remote.sendText(message.text(), handler);
    }

    /** @return the session this transport sends on */
    protected final Session session() {
        return session;
    }

    @Override
    public final void onResult(SendResult result) {
        callback.sent(result.isOK() ? null : failure(result));
    }

    private static Throwable failure(SendResult result) {
        Throwable exception = result.getException();
        return exception != null ? exception : new IOException("send failed");
    }

    @Override
    public void ping() {
        try {
            remote.sendPing(EMPTY);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "Pinging session {0} failed: {1}", new Object[] {session.getId(), e});
        }
    }

    @Override
    public void close(int code, String reason) {
        close(session, code, reason);
    }

    /** Closes a session with a code and reason, if it is open; never throws. */
    static void close(Session session, int code, String reason) {
        if (!session.isOpen()) {
            return;
        }
        try {
            session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), truncate(reason)));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "Closing session {0} failed: {1}", new Object[] {session.getId(), e});
        }
    }

    /** A close reason must fit in 123 bytes of UTF-8. */
    private static String truncate(String reason) {
        return Protocol.longerThan(reason, MAX_REASON_BYTES) ? reason.substring(0, MAX_REASON_BYTES / 3) : reason;
    }
}
