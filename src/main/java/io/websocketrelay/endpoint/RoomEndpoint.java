package io.websocketrelay.endpoint;

import io.websocketrelay.admission.IdRules;
import io.websocketrelay.config.RelaySettings;
import io.websocketrelay.core.Peer;
import io.websocketrelay.core.Protocol;
import io.websocketrelay.core.RelayStats;
import io.websocketrelay.core.Rooms;
import io.websocketrelay.core.Transport;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.PathParam;
import jakarta.websocket.server.ServerEndpoint;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The WebSocket endpoint {@code /room/<id>} of multi-user rooms: checks the room id (the same rules as pair ids),
 * joins the client to {@link Rooms} and reads its messages through {@link Incoming}. One instance serves one
 * connection.
 */
@Dependent
@ServerEndpoint(value = "/room/{id}", configurator = RelayConfigurator.class)
public class RoomEndpoint {

    private static final Logger LOG = Logger.getLogger(RoomEndpoint.class.getName());

    @Inject
    Rooms rooms;
    @Inject
    RelaySettings settings;
    @Inject
    RelayStats stats;

    private Peer peer;

    @OnOpen
    public void open(Session session, @PathParam("id") String id) {
        Incoming.limit(session, settings);
        String broken = IdRules.check(id, settings);
        if (broken != null) {
            LOG.log(Level.INFO, "Refused session {0} on a room: {1}", new Object[] {session.getId(), broken});
            stats.handshakeRefused("id");
            SessionTransport.close(session, Protocol.CLOSE_POLICY, broken);
            return;
        }
        Transport transport = Transports.of(session);
        peer = rooms.join(id, transport);
        if (peer != null) {
            Incoming.listen(session, peer, transport, settings, stats);
        }
        LOG.log(Level.FINE, "Session {0} joined room {1}", new Object[] {session.getId(), id});
    }

    @OnClose
    public void close(Session closed, CloseReason reason) {
        Endings.closed(peer, closed, reason, stats);
    }

    /** See {@link RelayEndpoint#error}: a container may call it on a new instance, with {@link #peer} unset. */
    @OnError
    public void error(Session failed, Throwable failure) {
        Endings.failed(peer, failed, failure, settings, stats);
    }
}
