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
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A {@link Transport} over a {@code jakarta.websocket} session and its async remote.
 *
 * <p>Closing never runs on the caller's thread: {@link #close} hands the close to {@link RelayThreads}. The relay
 * closes from a send's completion (a failed send, a peer flushed before a shutdown close), from the heartbeat and from
 * a container's read thread, and containers write the close frame synchronously there: Open Liberty's close waits for
 * the connection's write in flight and its read, whose completions need a thread of the pool the caller may be
 * holding (see docs/servers.md). The relay's state is settled before the close is handed on: a {@code Peer} is closed
 * and sends nothing more, so no send is queued behind the close.
 *
 * <p>A connection the container never reports as gone is found by writing to it: a ping that fails closes it at
 * once ({@link #ping}). GlassFish and Payara Micro (Tyrus in a servlet container) lose a reset that arrives while the
 * upgrade request completes: no close, no error, and a ping to that connection fails without a word (Tyrus drops the
 * result of a ping's write), so there a new connection is pinged once a second after it opened and closed as gone
 * when nothing answers in time ({@link #probeAfter}).
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
    /** Counts sends started and completed: odd while one is in flight. */
    private final AtomicLong sends = new AtomicLong();
    /** {@link #sends} when the heartbeat last pinged, to tell a send that is stuck from one that is merely there. */
    private volatile long sendsAtLastPing = -1;
    /** Told when a write found the connection gone; the container may never report it. */
    private volatile Runnable lost = () -> { };
    /** Set while the probe's ping waits for its answer. */
    private volatile boolean awaitingProbe;
    /** Set when the container reported a send as failed. */
    private volatile boolean sendFailed;

    SessionTransport(Session session, TextAsBinary textAsBinary) {
        this.session = session;
        this.remote = session.getAsyncRemote();
        this.textAsBinary = textAsBinary;
    }

    /** @param lost told (once or more) when a ping finds the connection gone, before the session is closed */
    void onLost(Runnable lost) {
        this.lost = lost;
    }

    @Override
    public void sendText(String text, SendCallback done) {
        callback = done;
        countSend();
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
        countSend();
        remote.sendBinary(data, this);
    }

    @Override
    public void onResult(SendResult result) {
        countSend();
        if (!result.isOK()) {
            sendFailed = true;
        }
        callback.sent(result.isOK() ? null : failure(result));
    }

    /**
     * One more send started or completed. Sends and their completions never overlap (one send in flight, the next
     * started after the last completed), so a release store is enough, and costs no fence on the path of every
     * relayed message; the heartbeat reads it.
     */
    private void countSend() {
        sends.lazySet(sends.get() + 1);
    }

    private static Throwable failure(SendResult result) {
        Throwable exception = result.getException();
        return exception != null ? exception : new IOException("send failed");
    }

    /**
     * Pings the client, unless the send in flight now was already in flight at the last ping: a ping would wait
     * behind it (Open Liberty's {@code sendPing} blocks the caller, the heartbeat, until then), and a client that has
     * not taken a message for a whole ping interval cannot answer in time anyway, so the heartbeat finds it dead at
     * its next tick. A ping that fails closes the session: the connection is gone.
     */
    @Override
    public void ping() {
        long now = sends.get();
        boolean stuck = (now & 1) == 1 && now == sendsAtLastPing;
        sendsAtLastPing = now;
        if (!stuck) {
            probe();
        }
    }

    /**
     * Pings the client once, {@code delayMillis} from now, on a relay thread, and closes the session as gone when
     * neither a pong nor a message ({@link #heard}) came {@code answerMillis} after that ping (see the class comment).
     */
    void probeAfter(long delayMillis, long answerMillis) {
        RelayThreads.later(() -> {
            if (!session.isOpen()) {
                return;
            }
            awaitingProbe = true;
            probe();
            RelayThreads.later(() -> {
                if (awaitingProbe && session.isOpen()) {
                    LOG.log(Level.FINE, "Session {0} did not answer the ping after its upgrade within {1} ms; "
                            + "closing it", new Object[] {session.getId(), answerMillis});
                    lost.run();
                    close(Protocol.CLOSE_GOING_AWAY, "no answer to ping within " + answerMillis + " ms");
                }
            }, answerMillis);
        }, delayMillis);
    }

    /** Notes that the client answered a ping or sent a message. */
    void heard() {
        if (awaitingProbe) {
            awaitingProbe = false;
        }
    }

    private void probe() {
        try {
            remote.sendPing(EMPTY);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "Pinging session {0} failed, closing it: {1}", new Object[] {session.getId(), e});
            lost.run();
            close(Protocol.CLOSE_GOING_AWAY, "ping failed");
        }
    }

    /**
     * Closes the session on a relay thread (see the class comment); never throws. After a send the container
     * reported as failed, the close waits {@link #CLOSE_AFTER_FAILED_SEND_MILLIS} and happens only if the container
     * has not ended the session itself meanwhile: a send fails mostly because the client is closing, and on WildFly
     * a close from the relay that meets the client's own close leaves the client without the answer to its close
     * frame and its TCP connection open (about one storm of 40 clients in ten, measured); where the container never
     * ends it (a reset GlassFish and Payara Micro lost), the delayed close still releases the session.
     */
    @Override
    public void close(int code, String reason) {
        if (sendFailed) {
            RelayThreads.later(() -> close(session, code, reason), CLOSE_AFTER_FAILED_SEND_MILLIS);
        } else {
            RelayThreads.run(() -> close(session, code, reason));
        }
    }

    /** How long a close after a failed send waits for the container to end the session itself. */
    static final long CLOSE_AFTER_FAILED_SEND_MILLIS = 1000;

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
