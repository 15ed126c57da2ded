package io.websocketrelay.launcher.io;

import io.websocketrelay.admission.Admission;
import io.websocketrelay.config.RelaySettings;
import io.websocketrelay.core.Protocol;
import io.websocketrelay.core.RelayStats;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.grizzly.Buffer;
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
import org.glassfish.grizzly.http.server.HttpServerFilter;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.http.util.Header;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.utils.IdleTimeoutFilter;
import org.glassfish.tyrus.spi.WebSocketEngine;

/**
 * Asks {@link Admission} about every WebSocket upgrade before Tyrus sees it, and answers a refusal with its HTTP
 * status (405 not a GET, 400 no valid key, 404 path, 401/403 token, 403 origin, 429 rate, 503 too many from one
 * address) and a log line. It also releases the per-address count when an admitted connection closes. An admitted upgrade goes on to Tyrus through
 * {@link TyrusBridge}. The address counted and logged is the client's: the peer's, or what a trusted proxy forwarded
 * ({@link Admission#clientAddress}).
 */
public final class HandshakeGate implements AddOn {

    private static final Logger LOG = Logger.getLogger(HandshakeGate.class.getName());

    private final String prefix;
    private final Admission admission;
    private final RelayStats stats;
    private final Attribute<String> admitted = Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute("relay.admitted");
    private final Attribute<ScheduledFuture<?>> deadlines =
            Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute("relay.deadline");
    private final TyrusBridge bridge;
    private final long handshakeTimeoutMillis;
    private final ScheduledExecutorService timer;

    /** @param contextPath {@code /} or {@code /scope} */
    public HandshakeGate(String contextPath, Admission admission, RelayStats stats, RelaySettings settings,
            ScheduledExecutorService timer, WebSocketEngine engine, boolean secure) {
        this.bridge = new TyrusBridge(engine, stats, settings.maxMessageBytes(), secure, timer);
        this.handshakeTimeoutMillis = settings.handshakeTimeoutMillis();
        this.timer = timer;
        this.prefix = contextPath.endsWith("/") ? contextPath.substring(0, contextPath.length() - 1) : contextPath;
        this.admission = admission;
        this.stats = stats;
    }

    @Override
    public void setup(NetworkListener listener, FilterChainBuilder builder) {
        int codec = builder.indexOfType(org.glassfish.grizzly.http.HttpServerFilter.class);
        int server = builder.indexOfType(HttpServerFilter.class);
        if (codec < 0 || server < codec) {
            throw new IllegalStateException("the handshake gate needs Grizzly's HTTP codec and server filters");
        }
        builder.add(server, new Filter());
        // upgraded connections need nothing between the transport (or TLS) and Tyrus: not even Grizzly's idle
        // filter, which stamps every read and write of a connection it never times out (keep-alive is off)
        int idle = builder.indexOfType(IdleTimeoutFilter.class);
        builder.add(idle >= 0 && idle < codec ? idle : codec, bridge.frames());
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
            String address = admission.clientAddress(address(connection), headers(request, "X-Forwarded-For"),
                    headers(request, "Forwarded"));
            String path = request.getRequestURI();
            String idPath = path.startsWith(prefix + "/") ? path.substring(prefix.length()) : "";
            Admission.Refusal refusal = Admission.method(request.getMethod().getMethodString());
            if (refusal == null) {
                refusal = hasValidKey(request) ? admission.check(idPath, request.getQueryString(),
                        request.getHeader("Origin"), request.getHeader("Sec-WebSocket-Protocol"), address, true)
                        : BAD_KEY;
            }
            if (refusal == null) {
                ScheduledFuture<?> deadline = deadlines.remove(connection);
                if (deadline != null) {
                    deadline.cancel(false);
                }
                admitted.set(connection, address);
                return bridge.upgrade(ctx, content, request, address);
            }
            stats.handshakeRefused(refusal.label());
            LOG.log(refusal.status() == 404 ? Level.FINE : Level.INFO, "Refused a handshake from {0} with {1}: {2}",
                    new Object[] {address, refusal.status(), refusal.reason()});
            HttpResponsePacket response = request.getResponse();
            response.setStatus(refusal.status());
            response.setHeader(Header.Connection, "close");
            if (refusal == Admission.NOT_GET) {
                response.setHeader(Header.Allow, "GET");
            }
            response.setContentType("text/plain; charset=utf-8");
            byte[] body = (refusal.reason() + "\n").getBytes(StandardCharsets.UTF_8);
            response.setContentLength(body.length);
            ctx.write(HttpContent.builder(response)
                    .content(Buffers.wrap(ctx.getMemoryManager(), body)).last(true).build());
            connection.closeSilently();
            return ctx.getStopAction();
        }

        /** Gives a new connection the handshake timeout: it must have upgraded by then. */
        @Override
        public NextAction handleAccept(FilterChainContext ctx) throws IOException {
            Connection<?> connection = ctx.getConnection();
            if (handshakeTimeoutMillis > 0) {
                deadlines.set(connection, timer.schedule(() -> {
                    if (!admitted.isSet(connection) && connection.isOpen()) {
                        stats.handshakeRefused("timeout");
                        LOG.log(Level.FINE, "Closing a connection from {0}: no upgrade within {1} ms",
                                new Object[] {address(connection), handshakeTimeoutMillis});
                        connection.closeSilently();
                    }
                }, handshakeTimeoutMillis, TimeUnit.MILLISECONDS));
            }
            return ctx.getInvokeAction();
        }

        @Override
        public NextAction handleClose(FilterChainContext ctx) throws IOException {
            ScheduledFuture<?> deadline = deadlines.remove(ctx.getConnection());
            if (deadline != null) {
                deadline.cancel(false);
            }
            String address = admitted.remove(ctx.getConnection());
            if (address != null) {
                admission.release(address);
            }
            return ctx.getInvokeAction();
        }
    }

    /**
     * Tyrus answers an upgrade without a usable {@code Sec-WebSocket-Key} with a bare HTTP 500 (measured on 2.2.2);
     * RFC 6455 4.2.1 makes it a bad request, so the gate refuses it with 400 first.
     */
    private static final Admission.Refusal BAD_KEY = new Admission.Refusal(400, "key",
            "Sec-WebSocket-Key missing or not 16 bytes in base64");

    /** @return whether the request has one {@code Sec-WebSocket-Key} that is 16 bytes in base64 (RFC 6455 4.1) */
    static boolean hasValidKey(HttpRequestPacket request) {
        String key = request.getHeader("Sec-WebSocket-Key");
        if (key == null) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key.trim()).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static List<String> headers(HttpRequestPacket request, String name) {
        List<String> values = new ArrayList<>(1);
        for (String value : request.getHeaders().values(name)) {
            values.add(value);
        }
        return values;
    }

    private static String address(Connection<?> connection) {
        Object peer = connection.getPeerAddress();
        return peer instanceof InetSocketAddress socket && socket.getAddress() != null
                ? socket.getAddress().getHostAddress() : String.valueOf(peer);
    }
}
