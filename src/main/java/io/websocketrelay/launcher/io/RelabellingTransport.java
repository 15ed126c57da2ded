package io.websocketrelay.launcher.io;

import io.websocketrelay.core.Outbound;
import io.websocketrelay.endpoint.DirectReader;
import io.websocketrelay.endpoint.SessionTransport;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.IOEvent;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The launcher's transport for a session: text leaves as the message's UTF-8 bytes (encoded once, when the message
 * was received) in a binary send whose frame the connection's writer relabels as text ({@link TextAsBinary}).
 */
final class RelabellingTransport extends SessionTransport {

    private static final Logger LOG = Logger.getLogger(RelabellingTransport.class.getName());

    /** The writer's offer, or {@code null} once it failed. */
    private volatile TextAsBinary textAsBinary;
    /** The client's connection, whose reading a cross-node link may pause. */
    private final Connection<?> connection;
    private boolean paused; // guarded by this
    /** The endpoint's reader for whole messages past Tyrus, set while the session opens. */
    private DirectReader directReader;

    RelabellingTransport(Session session, TextAsBinary textAsBinary, Connection<?> connection) {
        super(session);
        this.textAsBinary = textAsBinary;
        this.connection = connection;
    }

    /** Keeps the endpoint's reader: the connection's frames filter hands it whole messages past Tyrus. */
    @Override
    public void readDirectly(DirectReader reader) {
        directReader = reader;
    }

    /** @return the endpoint's reader for whole messages, or {@code null} */
    DirectReader directReader() {
        return directReader;
    }

    /**
     * Pauses or resumes Grizzly's reading of the connection: the bytes wait in the socket, and TCP holds the client
     * back. Grizzly takes the change on the connection's selector; the lock only keeps the changes in order.
     */
    @Override
    public synchronized void pauseReading(boolean pause) {
        if (pause == paused || !connection.isOpen()) {
            return;
        }
        paused = pause;
        try {
            if (pause) {
                connection.disableIOEvent(IOEvent.READ);
            } else {
                connection.enableIOEvent(IOEvent.READ);
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "Could not {0} reading session {1}: {2}",
                    new Object[] {pause ? "pause" : "resume", session().getId(), e.toString()});
        }
    }

    /**
     * Closes on the calling thread: the launcher's writes only queue (they never wait for the socket), so a close
     * cannot hold up a thread here the way it does on an application server.
     */
    @Override
    public void close(int code, String reason) {
        close(session(), code, reason);
    }

    @Override
    protected void sendText(Outbound message, RemoteEndpoint.Async remote, SendHandler handler) {
        TextAsBinary faster = textAsBinary;
        if (faster == null) {
            super.sendText(message, remote, handler);
        } else if (!faster.sendMarked(() -> remote.sendBinary(message.bytes(), handler))) {
            // cannot happen with the launcher's Tyrus: its sends write on the calling thread; if it ever did, the
            // message left as binary, so stop using the offer and say so
            textAsBinary = null;
            LOG.log(Level.SEVERE, "A text message to session {0} was sent as a binary frame; text goes through "
                    + "sendText from now on", session().getId());
        }
    }
}
