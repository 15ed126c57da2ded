package io.websocketrelay.endpoint;

import io.websocketrelay.admission.IdRules;
import io.websocketrelay.config.RelaySettings;
import io.websocketrelay.core.Pairs;
import io.websocketrelay.core.Peer;
import io.websocketrelay.core.Protocol;
import io.websocketrelay.core.RelayStats;
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
 * The WebSocket endpoint {@code /<id>} of the pair protocol: checks the id, joins the client to {@link Pairs} and
 * reads its messages through {@link Incoming}. One instance serves one connection; after {@code @OnOpen} every call
 * goes to the client's {@link Peer}, not through the bean's client proxy.
 *
 * <p>{@code @Dependent} makes it a bean under annotated discovery too, so every container injects it.
 */
@Dependent
@ServerEndpoint(value = "/{id}", configurator = RelayConfigurator.class)
public class RelayEndpoint {

    private static final Logger LOG = Logger.getLogger(RelayEndpoint.class.getName());

    @Inject
    Pairs pairs;
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
            LOG.log(Level.INFO, "Refused session {0}: {1}", new Object[] {session.getId(), broken});
            stats.handshakeRefused("id");
            SessionTransport.close(session, Protocol.CLOSE_POLICY, broken);
            return;
        }
        Transport transport = Transports.of(session);
        peer = pairs.join(id, transport);
        if (peer != null) {
            Incoming.listen(session, peer, transport, settings, stats);
        }
        LOG.log(Level.FINE, "Session {0} joined id {1}", new Object[] {session.getId(), id});
    }

    @OnClose
    public void close(Session closed, CloseReason reason) {
        Endings.closed(peer, closed, reason, stats);
    }

    /**
     * Called for a failure of the connection. A container may call it on a new instance after the session was
     * closed ({@link #peer} is then {@code null}), so it relies on its parameters.
     */
    @OnError
    public void error(Session failed, Throwable failure) {
        Endings.failed(peer, failed, failure, settings, stats);
    }
}
