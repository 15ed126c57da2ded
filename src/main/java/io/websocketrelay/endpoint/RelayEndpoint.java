package io.websocketrelay.endpoint;

import io.websocketrelay.admission.RateLimit;
import io.websocketrelay.core.Pairings;
import io.websocketrelay.core.Peer;
import io.websocketrelay.core.Protocol;
import io.websocketrelay.core.RelayStats;

import io.websocketrelay.config.RelaySettings;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.PathParam;
import jakarta.websocket.server.ServerEndpoint;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The WebSocket endpoint {@code /<id>}: turns the events of one connection into calls on {@link Pairings}, after
 * the checks that need the connection itself (id rules, message size, rate). One instance serves one connection.
 *
 * <p>{@code @Dependent} makes it a bean under annotated discovery too, so every container injects it.
 */
@Dependent
@ServerEndpoint(value = "/{id}", configurator = RelayConfigurator.class)
public class RelayEndpoint {

    private static final Logger LOG = Logger.getLogger(RelayEndpoint.class.getName());

    @Inject
    Pairings pairings;
    /** {@link #pairings} without its client proxy, for the calls made per message */
    private Pairings relay;

    private Session session;
    private SessionTransport transport;
    private Peer peer;
    private int maxMessageBytes;
    private RateLimit rate;
    /** The parts so far of a text message that came in fragments, and their size in UTF-8 */
    private StringBuilder textParts;
    private long partBytes;
    /** The parts so far of a binary message that came in fragments */
    private ByteBuffer binaryParts;

    @OnOpen
    public void open(Session session, @PathParam("id") String id) {
        this.session = session;
        RelaySettings settings = pairings.settings();
        this.maxMessageBytes = settings.maxMessageBytes();
        // a container that assembles a message itself stops at these; the relay assembles fragments itself
        session.setMaxTextMessageBufferSize(maxMessageBytes);
        session.setMaxBinaryMessageBufferSize(maxMessageBytes);
        // no idle timeout, as before, but said with -1: Tyrus schedules a timer task for every message sent or
        // received when the timeout is 0 (that task does nothing), two thread wake-ups per relayed message
        session.setMaxIdleTimeout(-1);
        String broken = idRule(id, settings);
        if (broken != null) {
            LOG.log(Level.INFO, "Refused session {0}: {1}", new Object[] {session.getId(), broken});
            pairings.stats().handshakeRefused("id");
            SessionTransport.close(session, Protocol.CLOSE_POLICY, broken);
            return;
        }
        rate = RateLimit.of(settings.messagesPerSecond(), settings.bytesPerSecond(), System.nanoTime());
        // handlers added here rather than @OnMessage methods: the container calls them directly, where an
        // annotated method costs a reflective call and a lookup of the endpoint instance per message (Tyrus);
        // partial handlers, because Tyrus looks for decoders and sorts the handlers for every whole message, and
        // nearly every message arrives in one frame, which a partial handler gets in one call
        session.addMessageHandler(String.class, this::text);
        session.addMessageHandler(ByteBuffer.class, this::binary);
        session.addMessageHandler(PongMessage.class, this::pong);
        relay = pairings.direct().pairings();
        TextAsBinary offer = TextAsBinary.offered();
        transport = new SessionTransport(session, offer);
        Peer joined = relay.join(id, transport);
        peer = joined;
        transport.onLost(() -> {
            pairings.stats().closedBy("heartbeat");
            relay.leave(joined);
        });
        if (joined != null && offer == null && session.getClass().getName().startsWith("org.glassfish.tyrus.")) {
            // Tyrus in a servlet container: GlassFish or Payara (the launcher's Tyrus makes the offer)
            transport.probeAfter(PROBE_AFTER_OPEN_MILLIS, PROBE_ANSWER_MILLIS);
        }
        LOG.log(Level.FINE, "Session {0} joined id {1}", new Object[] {session.getId(), id});
    }

    /**
     * When a new connection on GlassFish or Payara Micro is pinged once (see {@link SessionTransport}): they lose a
     * reset that arrives within some 20 ms of the upgrade (measured) and report nothing, not even to a ping.
     */
    static final long PROBE_AFTER_OPEN_MILLIS = 1000;
    /** How long that ping waits for its pong (or any message) before the connection counts as gone. */
    static final long PROBE_ANSWER_MILLIS = 3000;

    /** @return what is wrong with an id, or {@code null} when it follows the rules */
    static String idRule(String id, RelaySettings settings) {
        if (id.isEmpty()) {
            return "empty id";
        }
        if (Protocol.longerThan(id, settings.maxIdBytes())) {
            return "id longer than " + settings.maxIdBytes() + " bytes";
        }
        if (settings.idPattern() != null && !settings.idPattern().matcher(id).matches()) {
            return "id does not match the allowed pattern";
        }
        return null;
    }

    /** A part of a text message; most messages come whole, as one part with {@code last} set. */
    void text(String part, boolean last) {
        peer.received();
        transport.heard();
        if (textParts == null && last) {
            if (Protocol.longerThan(part, maxMessageBytes)) {
                tooBig(session);
            } else if (withinRate(part.length() > maxMessageBytes / 3 ? utf8Length(part) : part.length())) {
                relay.relay(peer, part);
            }
            return;
        }
        partBytes += utf8Length(part);
        if (partBytes > maxMessageBytes) {
            textParts = null;
            tooBig(session);
            return;
        }
        if (textParts == null) {
            textParts = new StringBuilder(part);
        } else {
            textParts.append(part);
        }
        if (last) {
            String text = textParts.toString();
            textParts = null;
            int bytes = (int) partBytes;
            partBytes = 0;
            if (withinRate(bytes)) {
                relay.relay(peer, text);
            }
        }
    }

    /**
     * A part of a binary message; most messages come whole, as one part with {@code last} set. The container may
     * reuse {@code part} once this returns (Undertow on WildFly does), so the relay queues a copy.
     */
    void binary(ByteBuffer part, boolean last) {
        peer.received();
        transport.heard();
        if (binaryParts == null && last) {
            if (part.remaining() > maxMessageBytes) {
                tooBig(session);
            } else if (withinRate(part.remaining())) {
                relay.relay(peer, ByteBuffer.allocate(part.remaining()).put(part).flip());
            }
            return;
        }
        long size = (binaryParts == null ? 0 : binaryParts.position()) + (long) part.remaining();
        if (size > maxMessageBytes) {
            binaryParts = null;
            tooBig(session);
            return;
        }
        if (binaryParts == null || binaryParts.remaining() < part.remaining()) {
            long capacity = Math.min(maxMessageBytes, Math.max(size, 2L * (binaryParts == null ? 512
                    : binaryParts.capacity())));
            ByteBuffer grown = ByteBuffer.allocate((int) capacity);
            if (binaryParts != null) {
                grown.put(binaryParts.flip());
            }
            binaryParts = grown;
        }
        binaryParts.put(part);
        if (last) {
            ByteBuffer data = binaryParts.flip();
            binaryParts = null;
            if (withinRate(data.remaining())) {
                relay.relay(peer, data);
            }
        }
    }

    void pong(PongMessage pong) {
        peer.heard();
        transport.heard();
    }

    @OnClose
    public void close(Session closed, CloseReason reason) {
        pairings.leave(peer);
        pairings.stats().closed(reason.getCloseCode().getCode());
        LOG.log(Level.FINE, "Session {0} closed: {1}", new Object[] {closed.getId(), reason});
    }

    /**
     * Called for a failure of the connection. A container may call it on a new instance after the session was
     * closed ({@link #peer} is then {@code null}), so it relies on its parameters.
     */
    @OnError
    public void error(Session failed, Throwable failure) {
        if (isFrameTooBig(failure) || isMessageTooBig(failure)) {
            tooBig(failed);
            return;
        }
        pairings.leave(peer);
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

    private boolean withinRate(int size) {
        String broken = rate == null ? null : rate.take(size, System.nanoTime());
        if (broken == null) {
            return true;
        }
        LOG.log(Level.INFO, "Closing session {0}: {1}", new Object[] {session.getId(), broken});
        pairings.stats().refused(RelayStats.Refusal.RATE);
        pairings.stats().closedBy("rate");
        pairings.leave(peer);
        SessionTransport.close(session, Protocol.CLOSE_POLICY, "rate limit: " + broken);
        return false;
    }

    private void tooBig(Session sender) {
        int max = pairings.settings().maxMessageBytes();
        LOG.log(Level.INFO, "Closing session {0} on id {1} with {2}: a message over {3} bytes",
                new Object[] {sender.getId(), peer == null ? "?" : peer.id(), String.valueOf(Protocol.CLOSE_TOO_BIG),
                    String.valueOf(max)});
        pairings.stats().refused(RelayStats.Refusal.TOO_BIG);
        pairings.leave(peer);
        SessionTransport.close(sender, Protocol.CLOSE_TOO_BIG, "message too big: the limit is " + max + " bytes");
    }

    private static int utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
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
