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
 * How a connection's end is taken, the same for every endpoint: a close or a disconnect is a normal way to leave,
 * a client's oversized message is its own mistake (one line at FINE), and anything else is logged once as a WARNING
 * with its cause.
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
        if (isFrameTooBig(failure)) {
            Incoming.tooBig(failed, peer, settings.maxMessageBytes(), stats);
            return;
        }
        if (peer != null) {
            peer.leave();
        }
        if (isDisconnect(failure) || isMessageTooBig(failure)) {
            LOG.log(Level.FINE, "Session {0} ended: {1}", new Object[] {failed.getId(), failure});
        } else {
            LOG.log(Level.WARNING, "Session " + failed.getId() + " failed", failure);
        }
    }

    /**
     * Tyrus reports a frame larger than its incoming buffer as {@code IllegalArgumentException("Buffer overflow.")}
     * and would close with 1011; the relay's answer to any message over the limit is 1009.
     */
    private static boolean isFrameTooBig(Throwable failure) {
        return failure instanceof IllegalArgumentException && "Buffer overflow.".equals(failure.getMessage());
    }

    /** The container closed the session with 1009 itself (a fragmented message over the buffer size). */
    private static boolean isMessageTooBig(Throwable failure) {
        return failure.getClass().getSimpleName().equals("MessageTooBigException");
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
