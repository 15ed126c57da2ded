package io.websocketrelay.endpoint;

import io.websocketrelay.config.RelaySettings;
import io.websocketrelay.core.Peer;
import io.websocketrelay.core.RelayStats;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * How a connection's end is taken, the same for every endpoint: a close or a disconnect is a normal way to leave, a
 * client's oversized message or bad input is its own mistake (one line at INFO, no stack trace), and only a failure of
 * the relay's own code is logged as a WARNING with its stack trace.
 */
final class Endings {

    private static final Logger LOG = Logger.getLogger(Endings.class.getName());

    private Endings() {
    }

    /** The session closed; {@code peer} is {@code null} when it was refused before it joined. */
    static void closed(Peer peer, Session closed, CloseReason reason, RelayStats stats) {
        if (peer != null) {
            peer.leave();
        }
        stats.closed(reason.getCloseCode().getCode());
        LOG.log(Level.FINE, "Session {0} closed: {1}", new Object[] {closed.getId(), reason});
    }

    /** The session failed; {@code peer} may be {@code null} (a container may report on a new endpoint instance). */
    static void failed(Peer peer, Session failed, Throwable failure, RelaySettings settings, RelayStats stats) {
        if (isFrameTooBig(failure) || isMessageTooBig(failure)) {
            Incoming.tooBig(failed, peer, settings.maxMessageBytes(), stats);
            return;
        }
        if (peer != null) {
            peer.leave();
        }
        if (isDisconnect(failure)) {
            LOG.log(Level.FINE, "Session {0} ended: {1}", new Object[] {failed.getId(), failure});
        } else if (isRelayFailure(failure)) {
            LOG.log(Level.WARNING, "Session " + failed.getId() + " failed", failure);
        } else {
            // what the client sent or did, as the container saw it: one line, no stack trace
            LOG.log(Level.INFO, "Session {0} on id {1} ended by the container: {2}",
                    new Object[] {failed.getId(), peer == null ? "?" : peer.id(), oneLine(failure)});
        }
    }

    /**
     * Tyrus reports a frame larger than its incoming buffer as {@code IllegalArgumentException("Buffer overflow.")}
     * and would close with 1011; the relay's answer to any message over the limit is 1009.
     */
    private static boolean isFrameTooBig(Throwable failure) {
        return failure instanceof IllegalArgumentException && "Buffer overflow.".equals(failure.getMessage());
    }

    /**
     * The container refused a message over the buffer size and closes the session with 1009 itself: Tyrus throws a
     * {@code MessageTooBigException} (a fragmented message), Undertow (WildFly) an {@code IOException}
     * "UT002040: Message exceeded max message size of N".
     */
    static boolean isMessageTooBig(Throwable failure) {
        return failure.getClass().getSimpleName().equals("MessageTooBigException")
                || failure instanceof IOException && failure.getMessage() != null
                        && failure.getMessage().startsWith("UT002040:");
    }

    /**
     * A failure is the relay's own when the relay's code threw it (a bug, worth a stack trace); anything else that
     * a container reports comes from the client or its connection (bad frames, invalid UTF-8, a dropped connection).
     */
    static boolean isRelayFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            for (StackTraceElement frame : t.getStackTrace()) {
                if (frame.getClassName().startsWith("io.websocketrelay.")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** @return the failure and its causes as one line, e.g. {@code ProtocolException: bad frame} */
    static String oneLine(Throwable failure) {
        StringBuilder line = new StringBuilder();
        for (Throwable t = failure; t != null && line.length() < 300; t = t.getCause()) {
            if (line.length() > 0) {
                line.append(" <- ");
            }
            line.append(t.getClass().getSimpleName());
            if (t.getMessage() != null) {
                line.append(": ").append(t.getMessage().replaceAll("\\s+", " "));
            }
        }
        return line.toString();
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
