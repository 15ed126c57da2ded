package io.websocketrelay.launcher;

import io.websocketrelay.relay.Admission;
import io.websocketrelay.relay.RelayStats;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpResponsePacket;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.http.util.Header;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.tyrus.container.grizzly.server.WebSocketAddOn;

/**
 * Asks {@link Admission} about every WebSocket upgrade before Tyrus sees it, and answers a refusal with its HTTP
 * status (404 path, 401/403 token, 403 origin, 429 rate, 503 too many from one address) and a log line. It also
 * releases the per-address count when an admitted connection closes. Register it after the {@link WebSocketAddOn}:
 * it puts its filter in front of Tyrus's.
 */
final class HandshakeGate implements AddOn {

    private static final Logger LOG = Logger.getLogger(HandshakeGate.class.getName());
    private static final String TYRUS_FILTER = "org.glassfish.tyrus.container.grizzly.server.GrizzlyServerFilter";

    private final String prefix;
    private final Admission admission;
    private final RelayStats stats;
    private final Attribute<String> admitted = Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute("relay.admitted");

    /** @param contextPath {@code /} or {@code /scope} */
    HandshakeGate(String contextPath, Admission admission, RelayStats stats) {
        this.prefix = contextPath.endsWith("/") ? contextPath.substring(0, contextPath.length() - 1) : contextPath;
        this.admission = admission;
        this.stats = stats;
    }

    @Override
    public void setup(NetworkListener listener, FilterChainBuilder builder) {
        int webSocket;
        try {
            webSocket = builder.indexOfType(Class.forName(TYRUS_FILTER).asSubclass(BaseFilter.class));
        } catch (ClassNotFoundException e) {
            webSocket = -1;
        }
        if (webSocket < 0) {
            throw new IllegalStateException("register the handshake gate after Tyrus's WebSocketAddOn");
        }
        builder.add(webSocket, new Filter());
    }

    private final class Filter extends BaseFilter {

        @Override
        public NextAction handleRead(FilterChainContext ctx) throws IOException {
            if (!(ctx.getMessage() instanceof HttpContent content)
                    || !(content.getHttpHeader() instanceof HttpRequestPacket request)
                    || !"websocket".equalsIgnoreCase(request.getUpgrade())) {
                return ctx.getInvokeAction();
            }
            Connection<?> connection = ctx.getConnection();
            if (admitted.isSet(connection)) {
                return ctx.getInvokeAction();
            }
            String address = address(connection);
            String path = request.getRequestURI();
            String idPath = path.startsWith(prefix + "/") ? path.substring(prefix.length()) : "";
            Admission.Refusal refusal = admission.check(idPath, request.getQueryString(), request.getHeader("Origin"),
                    request.getHeader("Sec-WebSocket-Protocol"), address, true);
            if (refusal == null) {
                admitted.set(connection, address);
                return ctx.getInvokeAction();
            }
            stats.handshakeRefused(refusal.label());
            LOG.log(refusal.status() == 404 ? Level.FINE : Level.INFO, "Refused a handshake from {0} with {1}: {2}",
                    new Object[] {address, refusal.status(), refusal.reason()});
            HttpResponsePacket response = request.getResponse();
            response.setStatus(refusal.status());
            response.setHeader(Header.Connection, "close");
            response.setContentType("text/plain; charset=utf-8");
            byte[] body = (refusal.reason() + "\n").getBytes(StandardCharsets.UTF_8);
            response.setContentLength(body.length);
            ctx.write(HttpContent.builder(response)
                    .content(Buffers.wrap(ctx.getMemoryManager(), body)).last(true).build());
            connection.closeSilently();
            return ctx.getStopAction();
        }

        @Override
        public NextAction handleClose(FilterChainContext ctx) throws IOException {
            String address = admitted.remove(ctx.getConnection());
            if (address != null) {
                admission.release(address);
            }
            return ctx.getInvokeAction();
        }
    }

    private static String address(Connection<?> connection) {
        Object peer = connection.getPeerAddress();
        return peer instanceof InetSocketAddress socket && socket.getAddress() != null
                ? socket.getAddress().getHostAddress() : String.valueOf(peer);
    }
}
