package io.websocketrelay.launcher.io;

import io.websocketrelay.core.Outbound;
import io.websocketrelay.endpoint.DirectReader;
import io.websocketrelay.endpoint.SessionTransport;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.IOEvent;

/**
 * The launcher's transport for a session, which moves the relay's messages past Tyrus both ways: the connection's
 * writer frames each message itself ({@link ConnectionWriter#send}), and the endpoint's reader is kept for the frames
 * filter, which hands it whole messages ({@link DirectReader}). Control frames, closes and everything Tyrus must
 * answer still go through Tyrus.
 */
final class DirectTransport extends SessionTransport implements Consumer<Throwable> {

    private static final Logger LOG = Logger.getLogger(DirectTransport.class.getName());
    private static final SendResult OK = new SendResult();

    private final ConnectionWriter writer;
    /** The client's connection, whose reading a cross-node link may pause. */
    private final Connection<?> connection;
    private boolean paused; // guarded by this
    /** The endpoint's reader for whole messages past Tyrus, set while the session opens. */
    private DirectReader directReader;

    DirectTransport(Session session, ConnectionWriter writer, Connection<?> connection) {
        super(session);
        this.writer = writer;
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

    @Override
    public boolean canPauseReading() {
        return true;
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
        send(true, message, handler);
    }

    @Override
    protected void sendBinary(Outbound message, RemoteEndpoint.Async remote, SendHandler handler) {
        send(false, message, handler);
    }

    private void send(boolean text, Outbound message, SendHandler handler) {
        // the handler is this transport's own (one send in flight): reporting through this object spares a lambda
        writer.send(text, message.bytes(), handler == this ? this : failure -> handler.onResult(result(failure)));
    }

    /** The writer's report on the send in flight. */
    @Override
    public void accept(Throwable failure) {
        onResult(result(failure));
    }

    private static SendResult result(Throwable failure) {
        return failure == null ? OK : new SendResult(failure);
    }
}
