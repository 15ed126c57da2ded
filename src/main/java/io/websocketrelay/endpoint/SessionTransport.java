package io.websocketrelay.endpoint;

import io.websocketrelay.core.Transport;
import io.websocketrelay.core.Protocol;

import static java.nio.charset.StandardCharsets.UTF_8;

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
 * A {@link Transport} over a {@code jakarta.websocket} session and its async remote.
 *
 * <p>Threading: the relay keeps at most one send in flight, so the one {@link SendHandler} of this transport serves
 * every send; the callback it reports to is set before each send, which happens-before its completion.
 */
final class SessionTransport implements Transport, SendHandler {

    private static final Logger LOG = Logger.getLogger(SessionTransport.class.getName());
    private static final int MAX_REASON_BYTES = 123;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final Session session;
    private final RemoteEndpoint.Async remote;
    /** The container's faster way to send text, or {@code null}. */
    private volatile TextAsBinary textAsBinary;
    private volatile SendCallback callback;

    SessionTransport(Session session, TextAsBinary textAsBinary) {
        this.session = session;
        this.remote = session.getAsyncRemote();
        this.textAsBinary = textAsBinary;
    }

    @Override
    public void sendText(String text, SendCallback done) {
        callback = done;
        TextAsBinary faster = textAsBinary;
        if (faster == null) {
            remote.sendText(text, this);
        } else if (!faster.sendMarked(() -> remote.sendBinary(ByteBuffer.wrap(text.getBytes(UTF_8)), this))) {
            // cannot happen with the launcher's Tyrus: its sends write on the calling thread; if it ever did, the
            // message left as binary, so stop using the offer and say so
            textAsBinary = null;
            LOG.log(Level.SEVERE, "A text message to session {0} was sent as a binary frame; text goes through "
                    + "sendText from now on", session.getId());
        }
    }

    @Override
    public void sendBinary(ByteBuffer data, SendCallback done) {
        callback = done;
        remote.sendBinary(data, this);
    }

    @Override
    public void onResult(SendResult result) {
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
