package io.websocketrelay.endpoint;

import io.websocketrelay.core.Outbound;
import io.websocketrelay.core.Peer;
import io.websocketrelay.core.Protocol;
import io.websocketrelay.core.RelayStats;
import io.websocketrelay.core.Transport;
import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A {@link Transport} over a {@code jakarta.websocket} session and its async remote: text through {@code sendText},
 * binary through {@code sendBinary}. A container may send messages its own way ({@link #sendText},
 * {@link #sendBinary}).
 *
 * <p>Closing never runs on the caller's thread: {@link #close} hands the close to {@link RelayThreads}. The relay
 * closes from a send's completion (a failed send, a peer flushed before a shutdown close), from the heartbeat and from
 * a container's read thread, and containers write the close frame synchronously there: Open Liberty's close waits for
 * the connection's write in flight and its read, whose completions need a thread of the pool the caller may be
 * holding (see docs/servers.md). The relay's state is settled before the close is handed on: a {@code Peer} is closed
 * and sends nothing more, so no send is queued behind the close.
 *
 * <p>A connection the container never reports as gone is found by writing to it: a failed ping closes it at once
 * ({@link #ping}), and on application servers a new connection is pinged once shortly after it opened
 * ({@link #probeAfter}): GlassFish and Payara Micro (Tyrus in a servlet container) lose a reset that arrives while the
 * upgrade request completes, and only a write finds out.
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
    private static final VarHandle SENDS;

    static {
        try {
            SENDS = MethodHandles.lookup().findVarHandle(SessionTransport.class, "sends", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Counts sends started and completed: odd while one is in flight (a field, not an AtomicLong: one object less). */
    private volatile long sends;
    /** {@link #sends} when the heartbeat last pinged, to tell a send that is stuck from one that is merely there. */
    private volatile long sendsAtLastPing = -1;
    /** Told when a write found the connection gone; the container may never report it. */
    private volatile Runnable lost = () -> { };
    /** Whether the probe after the upgrade ({@link #probeAfter}) still waits for an answer. */
    private volatile boolean awaitingProbe;
    /** Set when the container reported a send as failed. */
    private volatile boolean sendFailed;

    public SessionTransport(Session session) {
        this.session = session;
        this.remote = session.getAsyncRemote();
    }

    /**
     * When a new connection on GlassFish or Payara Micro is pinged once (see the class comment): they lose a reset
     * that arrives within some 20 ms of the upgrade (measured) and report nothing, not even to a ping.
     */
    static final long PROBE_AFTER_OPEN_MILLIS = 1000;
    /** How long that ping waits for its pong (or any message) before the connection counts as gone. */
    static final long PROBE_ANSWER_MILLIS = 3000;

    /**
     * Wires what the relay learns only by writing to a joined client's connection: a ping that finds it gone makes
     * the client leave, and on Tyrus inside a servlet container (GlassFish, Payara Micro; not the launcher, whose
     * transport is its own) the connection is probed once after its upgrade.
     *
     * @return the session transport to tell of every message and pong ({@link #heard}), or {@code null}
     */
    static SessionTransport watch(Transport transport, Session session, Peer peer, RelayStats stats) {
        if (!(transport instanceof SessionTransport watched)) {
            return null;
        }
        watched.onLost(() -> {
            stats.closedBy("heartbeat");
            peer.leave();
        });
        if (watched.getClass() == SessionTransport.class && session.getClass().getName().startsWith("org.glassfish.tyrus.")) {
            watched.probeAfter(PROBE_AFTER_OPEN_MILLIS, PROBE_ANSWER_MILLIS);
        }
        return watched;
    }

    /** @param lost told (once or more) when a ping finds the connection gone, before the session is closed */
    void onLost(Runnable lost) {
        this.lost = lost;
    }

    @Override
    public final void send(Outbound message, SendCallback done) {
        callback = done;
        countSend();
        if (message.isText()) {
            sendText(message, remote, this);
        } else {
            sendBinary(message, remote, this);
        }
    }

    /** Sends a binary message; {@code handler} must be told once when it was written or failed. */
    protected void sendBinary(Outbound message, RemoteEndpoint.Async remote, SendHandler handler) {
        remote.sendBinary(message.bytes(), handler);
    }

    /** Sends a text message; {@code handler} must be told once when it was written or failed. */
    protected void sendText(Outbound message, RemoteEndpoint.Async remote, SendHandler handler) {
        remote.sendText(message.text(), handler);
    }

    /**
     * Takes the reader that the connection's messages can be handed to past the container's WebSocket layer. A
     * container that reads frames itself keeps it ({@link DirectReader}); by default nobody does, and messages come
     * through the session's handlers.
     */
    public void readDirectly(DirectReader reader) {
    }

    /** @return the session this transport sends on */
    protected final Session session() {
        return session;
    }

    @Override
    public final void onResult(SendResult result) {
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
        SENDS.setRelease(this, (long) SENDS.getOpaque(this) + 1);
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
        long now = sends;
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

    /** Closes a session with a code and reason, if it is open, on the calling thread; never throws. */
    protected static void close(Session session, int code, String reason) {
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
