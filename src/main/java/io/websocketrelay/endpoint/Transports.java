package io.websocketrelay.endpoint;

import io.websocketrelay.core.Transport;
import jakarta.websocket.Session;
import java.util.function.Function;

/**
 * Where an endpoint gets the {@link Transport} of a session that opens: a {@link SessionTransport}, unless the
 * container that opens the session offers a transport of its own for it. The standalone launcher does (its sends
 * skip Tyrus's text encoding); application servers offer nothing. The domain sees a {@code Transport} either way.
 *
 * <p>A container announces its offer around the call in which it opens a connection ({@link #opening}); the
 * endpoint's {@code @OnOpen} runs inside that call, on the same thread, and asks {@link #of}.
 */
public final class Transports {

    private static final ThreadLocal<Function<Session, Transport>> OFFERED = new ThreadLocal<>();

    private Transports() {
    }

    /** Runs {@code open}, in which a connection opens, with {@code offer} making the transports of its sessions. */
    public static void opening(Function<Session, Transport> offer, Runnable open) {
        OFFERED.set(offer);
        try {
            open.run();
        } finally {
            OFFERED.remove();
        }
    }

    /** @return the transport for a session that is opening on this thread */
    static Transport of(Session session) {
        Function<Session, Transport> offer = OFFERED.get();
        return offer == null ? new SessionTransport(session) : offer.apply(session);
    }
}
