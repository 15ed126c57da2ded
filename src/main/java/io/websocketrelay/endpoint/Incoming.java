package io.websocketrelay.endpoint;

import io.websocketrelay.admission.RateLimit;
import io.websocketrelay.config.RelaySettings;
import io.websocketrelay.core.Outbound;
import io.websocketrelay.core.Peer;
import io.websocketrelay.core.Protocol;
import io.websocketrelay.core.RelayStats;
import io.websocketrelay.core.Transport;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What one connection sends, as the relay takes it: parts joined into whole messages, each checked against the size
 * limit (1009) and the rate limits (1008), then encoded once as an {@link Outbound} and handed to the client's
 * {@link Peer}. Every endpoint of the relay reads its connection through one of these.
 *
 * <p>Handlers are added to the session ({@link #listen}) rather than declared as {@code @OnMessage} methods: the
 * container calls them directly, where an annotated method costs a reflective call and a lookup of the endpoint
 * instance per message (Tyrus); and they take parts, because Tyrus looks for decoders and sorts the handlers for
 * every whole message, while nearly every message arrives in one frame, which a partial handler gets in one call.
 *
 * <p>Threading: the container calls the handlers of one session one at a time.
 */
final class Incoming implements DirectReader {

    private static final Logger LOG = Logger.getLogger(Incoming.class.getName());

    private final Session session;
    private final Peer peer;
    /** Told of every message, for the probe after the upgrade; {@code null} when nobody asks */
    private final SessionTransport heard;
    private final RelayStats stats;
    private final int maxMessageBytes;
    private final RateLimit rate;
    /** The parts so far of a text message that came in fragments, and their size in UTF-8 */
    private StringBuilder textParts;
    private long partBytes;
    /** The parts so far of a binary message that came in fragments */
    private ByteBuffer binaryParts;

    private Incoming(Session session, Peer peer, SessionTransport heard, RelaySettings settings, RelayStats stats) {
        this.session = session;
        this.peer = peer;
        this.heard = heard;
        this.stats = stats;
        this.maxMessageBytes = settings.maxMessageBytes();
        this.rate = RateLimit.of(settings.messagesPerSecond(), settings.bytesPerSecond(), System.nanoTime());
    }

    /** Sets the session's limits that the relay relies on; call it first in {@code @OnOpen}. */
    static void limit(Session session, RelaySettings settings) {
        // a container that assembles a message itself stops at these; the relay assembles fragments itself
        session.setMaxTextMessageBufferSize(settings.maxMessageBytes());
        session.setMaxBinaryMessageBufferSize(settings.maxMessageBytes());
        // no idle timeout, said with -1: Tyrus schedules a timer task for every message sent or received when the
        // timeout is 0 (that task does nothing), two thread wake-ups per relayed message
        session.setMaxIdleTimeout(-1);
    }

    /**
     * Reads {@code session}'s messages into {@code peer} from now on.
     *
     * @param transport the peer's transport, watched for a connection lost without a word from the container
     */
    static void listen(Session session, Peer peer, Transport transport, RelaySettings settings, RelayStats stats) {
        SessionTransport heard = SessionTransport.watch(transport, session, peer, stats);
        Incoming incoming = new Incoming(session, peer, heard, settings, stats);
        session.addMessageHandler(String.class, incoming::text);
        session.addMessageHandler(ByteBuffer.class, incoming::binary);
        session.addMessageHandler(PongMessage.class, pong -> incoming.heard());
        if (transport instanceof SessionTransport offered) {
            offered.readDirectly(incoming);
        }
    }

    private void heard() {
        peer.heard();
        if (heard != null) {
            heard.heard();
        }
    }

    /** A part of a text message; most messages come whole, as one part with {@code last} set. */
    void text(String part, boolean last) {
        received();
        if (textParts == null && last) {
            if (Protocol.longerThan(part, maxMessageBytes)) {
                tooBig();
                return;
            }
            Outbound message = Outbound.text(part);
            if (withinRate(message.size())) {
                peer.relay(message);
            }
            return;
        }
        partBytes += part.getBytes(StandardCharsets.UTF_8).length;
        if (partBytes > maxMessageBytes) {
            textParts = null;
            tooBig();
            return;
        }
        if (textParts == null) {
            textParts = new StringBuilder(part);
        } else {
            textParts.append(part);
        }
        if (last) {
            Outbound message = Outbound.text(textParts.toString());
            textParts = null;
            partBytes = 0;
            if (withinRate(message.size())) {
                peer.relay(message);
            }
        }
    }

    /** A whole text message from a container that reads frames itself; checks and relays as {@link #text(String, boolean)}. */
    @Override
    public void text(byte[] utf8, int offset, int length) {
        whole(true, utf8, offset, length);
    }

    /** A whole binary message from a container that reads frames itself; checks and relays as {@link #binary(ByteBuffer, boolean)}. */
    @Override
    public void binary(byte[] bytes, int offset, int length) {
        whole(false, bytes, offset, length);
    }

    private void whole(boolean text, byte[] bytes, int offset, int length) {
        if (!session.isOpen()) {
            return; // closed by the relay or the container a moment ago; the container drops what follows too
        }
        received();
        if (length > maxMessageBytes) {
            tooBig();
            return;
        }
        if (withinRate(length)) {
            byte[] owned = Arrays.copyOfRange(bytes, offset, offset + length);
            peer.relay(text ? Outbound.utf8Text(owned) : Outbound.binaryOwning(owned));
        }
    }

    /**
     * A part of a binary message; most messages come whole, as one part with {@code last} set. The container may
     * reuse {@code part} once this returns (Undertow on WildFly does), so the relay keeps a copy.
     */
    void binary(ByteBuffer part, boolean last) {
        received();
        if (binaryParts == null && last) {
            if (part.remaining() > maxMessageBytes) {
                tooBig();
            } else if (withinRate(part.remaining())) {
                peer.relay(Outbound.binary(part));
            }
            return;
        }
        long size = (binaryParts == null ? 0 : binaryParts.position()) + (long) part.remaining();
        if (size > maxMessageBytes) {
            binaryParts = null;
            tooBig();
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
                byte[] owned = new byte[data.remaining()];
                data.get(owned);
                peer.relay(Outbound.binaryOwning(owned));
            }
        }
    }

    private void received() {
        peer.received();
        if (heard != null) {
            heard.heard();
        }
    }

    private boolean withinRate(int size) {
        String broken = rate == null ? null : rate.take(size, System.nanoTime());
        if (broken == null) {
            return true;
        }
        LOG.log(Level.INFO, "Closing session {0} on id {1}: {2}", new Object[] {session.getId(), peer.id(), broken});
        stats.refused(RelayStats.Refusal.RATE);
        stats.closedBy("rate");
        peer.leave();
        SessionTransport.close(session, Protocol.CLOSE_POLICY, "rate limit: " + broken);
        return false;
    }

    private void tooBig() {
        tooBig(session, peer, maxMessageBytes, stats);
    }

    /** Closes a client that sent a message over the limit with 1009; {@code peer} may be {@code null}. */
    static void tooBig(Session sender, Peer peer, int maxMessageBytes, RelayStats stats) {
        LOG.log(Level.INFO, "Closing session {0} on id {1} with {2}: a message over {3} bytes", new Object[] {sender.getId(),
            peer == null ? "?" : peer.id(), String.valueOf(Protocol.CLOSE_TOO_BIG), String.valueOf(maxMessageBytes)});
        stats.refused(RelayStats.Refusal.TOO_BIG);
        if (peer != null) {
            peer.leave();
        }
        SessionTransport.close(sender, Protocol.CLOSE_TOO_BIG, "message too big: the limit is " + maxMessageBytes
                + " bytes");
    }
}
