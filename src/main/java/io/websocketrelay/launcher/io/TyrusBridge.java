package io.websocketrelay.launcher.io;

import io.websocketrelay.core.Deliveries;
import io.websocketrelay.core.RelayStats;
import io.websocketrelay.endpoint.DirectReader;
import io.websocketrelay.endpoint.Transports;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.attributes.AttributeHolder;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpResponsePacket;
import org.glassfish.grizzly.http.HttpServerFilter;
import org.glassfish.grizzly.http.Protocol;
import org.glassfish.grizzly.http.util.Parameters;
import org.glassfish.grizzly.memory.ByteBufferArray;
import org.glassfish.tyrus.core.CloseReasons;
import org.glassfish.tyrus.core.RequestContext;
import org.glassfish.tyrus.core.TyrusUpgradeResponse;
import org.glassfish.tyrus.core.Utils;
import org.glassfish.tyrus.spi.ReadHandler;
import org.glassfish.tyrus.spi.WebSocketEngine;

/**
 * Tyrus's WebSocket engine on Grizzly, without Tyrus's Grizzly container in between.
 *
 * <p>{@link HandshakeGate} hands an admitted upgrade to {@link #upgrade}: Tyrus's engine checks it and creates the
 * session, this class answers it (101 or Tyrus's refusal). From then on the {@link #frames() frames filter}, which
 * sits in front of Grizzly's HTTP codec (and its idle filter), gives every byte the connection brings straight to
 * Tyrus's read handler (after {@link FrameGuard} looked at the frame headers), and Tyrus writes through a
 * {@link ConnectionWriter} into Grizzly's write queue. Compared
 * with Tyrus's container this takes the HTTP codec, a task queue per connection and a hand-off per read and write
 * out of every message's path, and lets go of the upgrade's HTTP request, which Grizzly otherwise keeps for the life
 * of the connection (about 9 KB each, measured with a class histogram).
 */
final class TyrusBridge {

    private static final Logger LOG = Logger.getLogger(TyrusBridge.class.getName());
    /** Grizzly's HTTP codec keeps the request in progress and the keep-alive state under these names. */
    private static final String[] HTTP_STATE = {HttpServerFilter.HTTP_SERVER_REQUEST_ATTR_NAME,
        "HttpServerFilter.KeepAliveContext"};

    private final WebSocketEngine engine;
    private final RelayStats stats;
    private final long maxMessageBytes;
    private final Attribute<Upgraded> upgraded = Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute("relay.upgraded");
    private final BaseFilter frames = new Frames();
    /** Whether writes must go through the filter chain (TLS); plain ones go straight into the write queue. */
    private final boolean secure;

    /** Runs the end of a connection that closed or failed inside a write (see {@link Frames#handleClose}). */
    private final Executor closer;

    /**
     * @param secure whether the listener has TLS, whose filter must see every write
     * @param closer a thread for the ends of connections that closed or failed inside a write
     */
    TyrusBridge(WebSocketEngine engine, RelayStats stats, long maxMessageBytes, boolean secure, Executor closer) {
        this.engine = engine;
        this.closer = closer;
        this.secure = secure;
        this.stats = stats;
        this.maxMessageBytes = maxMessageBytes;
        Deliveries.gatherWith(ConnectionWriter::batched); // a cluster node's deliveries in rounds, as a read's are
    }

    /** @return the filter to put right after the transport filter, or after the TLS filter when there is one */
    BaseFilter frames() {
        return frames;
    }

    /**
     * Upgrades an admitted request: answers what Tyrus decided and, on success, turns the connection over to the
     * frames filter.
     *
     * @param address the client's address, for log lines
     * @return the next action of the filter that called
     */
    NextAction upgrade(FilterChainContext ctx, HttpContent content, HttpRequestPacket request, String address) {
        Connection<?> connection = ctx.getConnection();
        RequestContext upgradeRequest;
        try {
            upgradeRequest = request(request);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.FINE, "Refused a handshake from {0} with 400: {1}", new Object[] {address, e.getMessage()});
            stats.handshakeRefused("request");
            respond(ctx, request, 400, Map.of());
            connection.closeSilently();
            return ctx.getStopAction();
        }
        TyrusUpgradeResponse answer = new TyrusUpgradeResponse();
        WebSocketEngine.UpgradeInfo info = engine.upgrade(upgradeRequest, answer);
        switch (info.getStatus()) {
            case NOT_APPLICABLE:
                return ctx.getInvokeAction();
            case HANDSHAKE_FAILED:
                LOG.log(Level.FINE, "Tyrus refused a handshake from {0} with {1}",
                        new Object[] {address, answer.getStatus()});
                respond(ctx, request, answer.getStatus(), answer.getHeaders());
                connection.closeSilently();
                return ctx.getStopAction();
            default:
                break;
        }
        respond(ctx, request, 101, answer.getHeaders());
        Upgraded state = new Upgraded(new FrameGuard(maxMessageBytes), address);
        upgraded.set(connection, state);
        state.writer = new ConnectionWriter(new GrizzlySink(connection, secure), closer);
        // the endpoint opens inside createConnection, on this thread, and takes the writer's offer to send text fast
        Transports.opening(session -> state.transport = new DirectTransport(session, state.writer, connection),
                () -> state.socket = info.createConnection(state.writer, reason -> state.writer.close()));
        state.reader = state.socket.getReadHandler();
        AttributeHolder attributes = connection.getAttributes();
        for (String name : HTTP_STATE) {
            attributes.removeAttribute(name);
        }
        Buffer rest = content.getContent();
        if (rest.hasRemaining()) {
            deliver(connection, state, rest);
        }
        return ctx.getStopAction();
    }

    /** Tyrus's view of the upgrade request; headers with lists are split as Tyrus's own container splits them. */
    private static RequestContext request(HttpRequestPacket request) {
        String query = request.getQueryString();
        Map<String, String[]> parameters = new HashMap<>();
        if (query != null) {
            Parameters parsed = new Parameters();
            parsed.setQuery(request.getQueryStringDC());
            parsed.setQueryStringEncoding(StandardCharsets.UTF_8);
            parsed.handleQueryParameters();
            for (String name : parsed.getParameterNames()) {
                parameters.put(name, parsed.getParameterValues(name));
            }
        }
        RequestContext context = RequestContext.Builder.create()
                .requestURI(URI.create(request.getRequestURI()))
                .queryString(query)
                .parameterMap(parameters)
                .secure(request.isSecure())
                .remoteAddr(request.getRemoteAddress())
                .serverAddr(request.getLocalAddress())
                .serverPort(request.getLocalPort())
                .build();
        Map<String, List<String>> headers = context.getHeaders();
        for (String name : request.getHeaders().names()) {
            for (String value : request.getHeaders().values(name)) {
                headers.computeIfAbsent(name, key -> new ArrayList<>()).addAll(Utils.parseHeaderValue(value.trim()));
            }
        }
        return context;
    }

    private static void respond(FilterChainContext ctx, HttpRequestPacket request, int status,
            Map<String, List<String>> headers) {
        HttpResponsePacket response = request.getResponse();
        response.setProtocol(Protocol.HTTP_1_1);
        response.setStatus(status);
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            response.setHeader(header.getKey(), Utils.getHeaderFromList(header.getValue()));
        }
        if (status != 101) {
            response.setHeader("Connection", "close");
            response.setContentLength(0);
        }
        ctx.write(HttpContent.builder(response).last(status != 101).build());
    }

    /**
     * Gives bytes of an upgraded connection to Tyrus, unless the frame guard finds a violation in them; what Tyrus
     * writes meanwhile, to any connection, is gathered into one write per connection ({@link ConnectionWriter}).
     */
    private void deliver(Connection<?> connection, Upgraded state, Buffer bytes) {
        if (state.refused) {
            return;
        }
        ConnectionWriter.batched(() -> read(connection, state, bytes));
    }

    private void read(Connection<?> connection, Upgraded state, Buffer bytes) {
        DirectTransport transport = state.transport;
        if (transport != null && transport.directReader() != null) {
            readPastTyrus(connection, state, bytes);
            return;
        }
        FrameGuard.Violation violation = state.guard.read(bytes);
        if (violation != null) {
            refuse(connection, state, violation);
            return;
        }
        try {
            if (bytes.isComposite()) {
                ByteBufferArray parts = bytes.toByteBufferArray();
                Object[] array = parts.getArray();
                for (int i = 0; i < parts.size(); i++) {
                    state.reader.handle((ByteBuffer) array[i]);
                }
                parts.recycle();
            } else {
                state.reader.handle(bytes.toByteBuffer());
            }
        } catch (RuntimeException e) {
            failed(state, e);
        }
    }

    /** Whole messages in one frame go to the endpoint's reader, the rest to Tyrus ({@link FrameGuard.Lane}). */
    private void readPastTyrus(Connection<?> connection, Upgraded state, Buffer bytes) {
        FrameGuard.Violation violation;
        try {
            violation = state.guard.read(bytes, state);
        } catch (RuntimeException e) {
            failed(state, e);
            return;
        }
        if (violation != null) {
            refuse(connection, state, violation);
        }
    }

    private void failed(Upgraded state, RuntimeException e) {
        LOG.log(Level.WARNING, "Tyrus failed to read from a connection; closing it", e);
        state.refused = true;
        state.writer.close();
    }

    private void refuse(Connection<?> connection, Upgraded state, FrameGuard.Violation violation) {
        state.refused = true;
        LOG.log(Level.FINE, "Closing a connection from {0} with {1}: {2}",
                new Object[] {state.address, violation.code(), violation.reason()});
        if (violation.code() == 1009) {
            stats.refused(RelayStats.Refusal.TOO_BIG);
        } else {
            stats.closedBy("protocol");
        }
        state.writer.write(closeFrame(violation), null);
        state.writer.close();
    }

    /** A server's close frame (unmasked) with the violation's code and reason. */
    private static ByteBuffer closeFrame(FrameGuard.Violation violation) {
        byte[] reason = violation.reason().getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[4 + reason.length];
        frame[0] = (byte) 0x88;
        frame[1] = (byte) (2 + reason.length);
        frame[2] = (byte) (violation.code() >> 8);
        frame[3] = (byte) violation.code();
        System.arraycopy(reason, 0, frame, 4, reason.length);
        return ByteBuffer.wrap(frame);
    }

    /**
     * What an upgraded connection keeps: Tyrus's side of it, the frame guard, and where the guard hands the frames
     * when the endpoint reads messages past Tyrus.
     */
    private static final class Upgraded implements FrameGuard.Lane {
        final FrameGuard guard;
        org.glassfish.tyrus.spi.Connection socket;
        ReadHandler reader;
        ConnectionWriter writer;
        /** The session's transport, which holds the endpoint's reader when there is one */
        DirectTransport transport;
        /** A violation or failure was answered; what else arrives is dropped. */
        boolean refused;
        /** The client's address (forwarded by a trusted proxy, or the peer's), for log lines */
        final String address;

        Upgraded(FrameGuard guard, String address) {
            this.guard = guard;
            this.address = address;
        }

        @Override
        public void tyrus(byte[] bytes, int from, int to) {
            reader.handle(ByteBuffer.wrap(bytes, from, to - from));
        }

        @Override
        public void message(boolean text, byte[] bytes, int offset, int length) {
            DirectReader direct = transport.directReader();
            if (text) {
                direct.text(bytes, offset, length);
            } else {
                direct.binary(bytes, offset, length);
            }
        }
    }

    /** In front of the HTTP codec: the bytes of upgraded connections go to Tyrus, the rest on to the codec. */
    private final class Frames extends BaseFilter {

        @Override
        public NextAction handleRead(FilterChainContext ctx) throws IOException {
            Upgraded state = upgraded.get(ctx.getConnection());
            if (state == null) {
                return ctx.getInvokeAction();
            }
            deliver(ctx.getConnection(), state, ctx.getMessage());
            return ctx.getStopAction();
        }

        /**
         * Tells Tyrus that the connection ended. Grizzly closes a connection whose write failed at once, on the
         * writing thread, which may hold the locks of that connection's send (Tyrus's and the writer's); the end
         * of a session takes its peer's locks to tell it. Two peers failing at the same moment on two threads
         * would take each other's locks in opposite order, so an end that arrives inside a write runs on another
         * thread, with no lock held.
         */
        @Override
        public NextAction handleClose(FilterChainContext ctx) throws IOException {
            Upgraded state = upgraded.remove(ctx.getConnection());
            if (state != null && state.socket != null) {
                Runnable end = () -> state.socket.close(CloseReasons.CLOSED_ABNORMALLY.getCloseReason());
                if (!ConnectionWriter.writing()) {
                    end.run();
                } else {
                    try {
                        closer.execute(end);
                    } catch (RejectedExecutionException stopping) {
                        end.run(); // the relay is stopping; no other thread sends any more
                    }
                }
            }
            return ctx.getInvokeAction();
        }
    }
}
