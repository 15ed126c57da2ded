package io.websocketrelay.endpoint;

import io.websocketrelay.admission.Tokens;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;

/**
 * Accepts the subprotocol {@code token.<value>} that a browser offers to carry its access token (see
 * {@link Tokens}); a browser fails the connection unless the server names one of the subprotocols it offered.
 * Everything else, endpoint instances included, is left to the container's default configurator.
 */
public class RelayConfigurator extends ServerEndpointConfig.Configurator {

    @Override
    public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
        for (String protocol : requested) {
            if (protocol.startsWith(Tokens.SUBPROTOCOL_PREFIX)) {
                return protocol;
            }
        }
        return super.getNegotiatedSubprotocol(supported, requested);
    }
}
