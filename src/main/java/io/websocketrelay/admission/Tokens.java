package io.websocketrelay.admission;

import io.websocketrelay.config.RelaySettings;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;

/**
 * The optional access token. A client presents it as the query parameter {@code token=<value>} or as a WebSocket
 * subprotocol {@code token.<value>} (for browsers, whose WebSocket API sets no headers). A value is accepted when it
 * equals the shared secret ({@code RELAY_TOKEN}), or when it is a JWT that {@link JwtVerifier} accepts for the id
 * asked for: HS256 with {@code RELAY_JWT_HMAC_KEY}, RS256 or ES256 with {@code RELAY_JWT_PUBLIC_KEY}. A pair
 * token's {@code sub} is the pair id; a room token's {@code room} claim is the room id.
 *
 * <p>The signed format of before, {@code <expiry>.<signature>} with {@code RELAY_TOKEN_HMAC_KEY}, is gone: a
 * relay that still has that variable set refuses to start and names {@code RELAY_JWT_HMAC_KEY}.
 */
public final class Tokens {

    /** Prefix of a token given as a subprotocol. */
    public static final String SUBPROTOCOL_PREFIX = "token.";

    private final String secret;
    private final JwtVerifier jwt;

    /** @throws IllegalArgumentException, naming the setting, for a JWT key that cannot be used */
    Tokens(RelaySettings settings, LongSupplier wallClockMillis) {
        this.secret = settings.token();
        PublicKeys keys = settings.jwtPublicKey().isEmpty() ? null : PublicKeys.load(settings.jwtPublicKey());
        this.jwt = new JwtVerifier(settings.jwtHmacKey(), keys, settings.jwtAudience(), settings.jwtIssuer(),
                wallClockMillis);
    }

    boolean enabled() {
        return !secret.isEmpty() || jwt.enabled();
    }

    /** @return the token in a query string or a subprotocol list, or {@code null} */
    static String find(String query, String protocols) {
        if (query != null) {
            for (String parameter : query.split("&")) {
                if (parameter.startsWith("token=")) {
                    return URLDecoder.decode(parameter.substring("token=".length()), StandardCharsets.UTF_8);
                }
            }
        }
        if (protocols != null) {
            for (String protocol : protocols.split(",")) {
                String trimmed = protocol.trim();
                if (trimmed.startsWith(SUBPROTOCOL_PREFIX)) {
                    return trimmed.substring(SUBPROTOCOL_PREFIX.length());
                }
            }
        }
        return null;
    }

    /**
     * @param token the token presented
     * @param kind  what it is to open
     * @param rawId the id as it is in the path (percent-encoded)
     * @return {@code null} when {@code token} lets a client open {@code rawId}, else why not
     */
    String refusal(String token, JwtVerifier.Kind kind, String rawId) {
        if (!secret.isEmpty() && Admission.same(token, secret)) {
            return null;
        }
        if (!jwt.enabled()) {
            return "wrong token";
        }
        if (token.chars().filter(c -> c == '.').count() != 2) {
            return secret.isEmpty() ? "not a JWT" : "wrong token";
        }
        return jwt.verify(token, kind, decode(rawId));
    }

    /** Percent-decoding as in a path: a {@code +} stays a plus. */
    static String decode(String rawId) {
        try {
            return URLDecoder.decode(rawId.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return rawId; // a broken escape: matches no claim but the same broken text
        }
    }
}
