package io.websocketrelay.admission;

import io.websocketrelay.config.RelaySettings;
import io.websocketrelay.core.Protocol;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Decides whether an upgrade request may become a relay connection, before the upgrade: the path must name one id
 * (a pair id, or a room's as {@code /room/<id>}), the origin allowed, the token right, and the client address within
 * its limits. Protocol-neutral: the launcher asks it from a Grizzly filter, the WAR from a servlet filter, and both
 * answer a refusal with its HTTP status. Both first ask {@link #clientAddress} for the address to count and log,
 * which behind a trusted proxy is the one it forwarded.
 *
 * <p>Threading: safe for concurrent use.
 */
public final class Admission {

    /** Why an upgrade was refused: the HTTP status to answer with, a metric label and a reason for the log. */
    public record Refusal(int status, String label, String reason) {
    }

    /** The path of the room endpoint before the room's id. */
    private static final String ROOM_PATH = "/room/";

    /**
     * RFC 6455 4.1: the opening handshake is a GET. Any other method is refused with 405 before an upgrade; the
     * answer names the allowed method in {@code Allow: GET} (RFC 9110 15.5.6).
     */
    public static final Refusal NOT_GET = new Refusal(405, "method", "a WebSocket upgrade must be a GET request");

    private static final long SECOND_NANOS = 1_000_000_000L;
    private static final int SWEEP_EVERY = 1024;

    private final RelaySettings settings;
    private final LongSupplier nanoClock;
    private final Tokens tokens;
    private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
    private final Map<String, Bucket> arrivals = new ConcurrentHashMap<>();
    private final AtomicInteger checks = new AtomicInteger();

    /** @throws IllegalArgumentException, naming the setting, for a JWT key that cannot be used */
    public Admission(RelaySettings settings) {
        this(settings, System::nanoTime, System::currentTimeMillis);
    }

    Admission(RelaySettings settings, LongSupplier nanoClock, LongSupplier wallClockMillis) {
        this.settings = settings;
        this.nanoClock = nanoClock;
        this.tokens = new Tokens(settings, wallClockMillis);
    }

    /**
     * The client's address: the direct peer's, or, when the peer is one of {@code RELAY_TRUSTED_PROXIES}, the one
     * the proxies forwarded (see {@link TrustedProxies}).
     *
     * @param peer          the direct peer's address
     * @param xForwardedFor the request's {@code X-Forwarded-For} headers
     * @param forwarded     the request's {@code Forwarded} headers
     */
    public String clientAddress(String peer, List<String> xForwardedFor, List<String> forwarded) {
        return settings.trustedProxies().clientAddress(peer, xForwardedFor, forwarded);
    }

    /**
     * Checks an upgrade request: {@link #check(JwtVerifier.Kind, String, String, String, String, String, boolean)}
     * for a room when the path is {@code /room/<roomId>}, else for a pair.
     */
    public Refusal check(String idPath, String query, String origin, String protocols, String address,
            boolean countOpen) {
        JwtVerifier.Kind kind = idPath.startsWith(ROOM_PATH) ? JwtVerifier.Kind.ROOM : JwtVerifier.Kind.PAIR;
        return check(kind, idPath, query, origin, protocols, address, countOpen);
    }

    /** @return {@link #NOT_GET} unless {@code method} is {@code GET} (methods are case-sensitive), else {@code null} */
    public static Refusal method(String method) {
        return "GET".equals(method) ? null : NOT_GET;
    }

    /**
     * Checks an upgrade request. An admitted request from an address counts against that address until
     * {@link #release} (only when {@code countOpen} is set: a caller that cannot learn when the connection ends
     * passes {@code false}, and the per-address connection limit does not apply).
     *
     * @param kind      what the request is to open: a pair ({@code /<id>}) or a room ({@code /room/<roomId>})
     * @param idPath    the raw request path after the context path and scope, e.g. {@code /abc} or
     *                  {@code /room/abc}
     * @param query     the raw query string, or {@code null}
     * @param origin    the {@code Origin} header, or {@code null}
     * @param protocols the {@code Sec-WebSocket-Protocol} header, or {@code null}
     * @param address   the client's address, from {@link #clientAddress}
     * @param countOpen whether to count the connection against its address
     * @return {@code null} to admit, else why not
     */
    public Refusal check(JwtVerifier.Kind kind, String idPath, String query, String origin, String protocols,
            String address, boolean countOpen) {
        String id = idOf(idPath);
        if (id == null || (kind == JwtVerifier.Kind.ROOM) != idPath.startsWith(ROOM_PATH)) {
            return new Refusal(404, "path", "not one id: " + idPath);
        }
        if (!settings.allowedOrigins().isEmpty() && (origin == null || !settings.allowedOrigins().contains(origin))) {
            return new Refusal(403, "origin", "origin not allowed: " + origin);
        }
        Refusal token = checkToken(kind, id, query, protocols);
        if (token != null) {
            return token;
        }
        if (settings.connectionsPerSecondPerAddress() > 0 && !arrived(address)) {
            return new Refusal(429, "rate", "more than " + settings.connectionsPerSecondPerAddress()
                    + " new connections per second from " + address);
        }
        if (countOpen && settings.maxConnectionsPerAddress() > 0) {
            AtomicInteger count = open.computeIfAbsent(address, key -> new AtomicInteger());
            if (count.incrementAndGet() > settings.maxConnectionsPerAddress()) {
                release(address);
                return new Refusal(503, "address", "more than " + settings.maxConnectionsPerAddress()
                        + " connections from " + address);
            }
        }
        return null;
    }

    /**
     * @return the raw id of a path that names one pair id ({@code /<id>}) or one room ({@code /room/<id>}), or
     *         {@code null} for any other path; {@code /room} alone is the pair id {@code room}
     */
    static String idOf(String idPath) {
        int start = idPath.startsWith(ROOM_PATH) ? ROOM_PATH.length() : 1;
        if (idPath.length() <= start || idPath.charAt(0) != '/' || idPath.indexOf('/', start) >= 0) {
            return null;
        }
        return idPath.substring(start);
    }

    /**
     * Checks the token alone: 401 without one, 403 with one that does not open {@code rawId} of {@code kind}.
     *
     * @param kind      a pair or a room
     * @param rawId     the pair or room id as it is in the path (percent-encoded)
     * @param query     the raw query string, or {@code null}
     * @param protocols the {@code Sec-WebSocket-Protocol} header, or {@code null}
     * @return {@code null} to admit (also when no token is configured), else why not
     */
    public Refusal checkToken(JwtVerifier.Kind kind, String rawId, String query, String protocols) {
        if (!tokens.enabled()) {
            return null;
        }
        String token = Tokens.find(query, protocols);
        if (token == null) {
            return new Refusal(401, "token", "no token");
        }
        String reason = tokens.refusal(token, kind, rawId);
        return reason == null ? null : new Refusal(403, "token", "token refused: " + reason);
    }

    /** Tells that an admitted connection from {@code address} (counted with {@code countOpen}) has ended. */
    public void release(String address) {
        if (settings.maxConnectionsPerAddress() > 0) {
            open.computeIfPresent(address, (key, count) -> count.decrementAndGet() <= 0 ? null : count);
        }
    }

    /** @return the number of addresses with open connections or recent arrivals that are tracked */
    int trackedAddresses() {
        return open.size() + arrivals.size();
    }

    /** A token bucket per address: one second's worth of burst, refilled continuously. */
    private boolean arrived(String address) {
        long now = nanoClock.getAsLong();
        if (checks.incrementAndGet() % SWEEP_EVERY == 0) {
            sweep(now);
        }
        Bucket bucket = arrivals.computeIfAbsent(address, key -> new Bucket(settings.connectionsPerSecondPerAddress(), now));
        return bucket.take(settings.connectionsPerSecondPerAddress(), now);
    }

    /** Forgets buckets that have been full for a second: their addresses are within the limit again. */
    private void sweep(long now) {
        for (Iterator<Bucket> it = arrivals.values().iterator(); it.hasNext(); ) {
            if (it.next().isFullAt(settings.connectionsPerSecondPerAddress(), now)) {
                it.remove();
            }
        }
    }

    private static final class Bucket {
        private double tokens;
        private long last;

        Bucket(int perSecond, long now) {
            this.tokens = perSecond;
            this.last = now;
        }

        synchronized boolean take(int perSecond, long now) {
            tokens = Math.min(perSecond, tokens + (now - last) * (double) perSecond / SECOND_NANOS);
            last = now;
            if (tokens >= 1) {
                tokens--;
                return true;
            }
            return false;
        }

        synchronized boolean isFullAt(int perSecond, long now) {
            return tokens + (now - last) * (double) perSecond / SECOND_NANOS >= perSecond;
        }
    }

    /** Constant-time comparison of two strings. */
    static boolean same(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
