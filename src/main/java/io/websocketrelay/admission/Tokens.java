package io.websocketrelay.admission;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The optional access token. A client presents it as the query parameter {@code token=<value>} or as a WebSocket
 * subprotocol {@code token.<value>} (for browsers, whose WebSocket API sets no headers). A value is accepted when it
 * equals the shared secret ({@code RELAY_TOKEN}), or when it is a signed token made with {@code RELAY_TOKEN_HMAC_KEY}:
 *
 * <pre>  &lt;expiry&gt;.&lt;signature&gt;   signature = base64url(HMAC-SHA256(key, "&lt;id&gt;.&lt;expiry&gt;")), no padding</pre>
 *
 * <p>where {@code expiry} is in seconds since the epoch; a signed token is good for its id only and until then.
 */
public final class Tokens {

    /** Prefix of a token given as a subprotocol. */
    public static final String SUBPROTOCOL_PREFIX = "token.";

    private final String secret;
    private final byte[] hmacKey;
    private final LongSupplier wallClockMillis;

    Tokens(String secret, String hmacKey, LongSupplier wallClockMillis) {
        this.secret = secret;
        this.hmacKey = hmacKey.isEmpty() ? null : hmacKey.getBytes(StandardCharsets.UTF_8);
        this.wallClockMillis = wallClockMillis;
    }

    boolean enabled() {
        return !secret.isEmpty() || hmacKey != null;
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

    /** @return whether {@code token} lets a client join {@code rawId} */
    boolean accepts(String token, String rawId) {
        if (!secret.isEmpty() && Admission.same(token, secret)) {
            return true;
        }
        if (hmacKey == null) {
            return false;
        }
        int dot = token.indexOf('.');
        if (dot <= 0) {
            return false;
        }
        long expiry;
        try {
            expiry = Long.parseLong(token.substring(0, dot));
        } catch (NumberFormatException e) {
            return false;
        }
        if (expiry * 1000 <= wallClockMillis.getAsLong()) {
            return false;
        }
        String id = URLDecoder.decode(rawId, StandardCharsets.UTF_8);
        return Admission.same(token.substring(dot + 1), sign(hmacKey, id, expiry));
    }

    /**
     * Makes a signed token, as a server that hands out tokens would.
     *
     * @param key    the HMAC key ({@code RELAY_TOKEN_HMAC_KEY})
     * @param id     the decoded id the token is for
     * @param expiry seconds since the epoch
     * @return {@code <expiry>.<signature>}
     */
    public static String signed(String key, String id, long expiry) {
        return expiry + "." + sign(key.getBytes(StandardCharsets.UTF_8), id, expiry);
    }

    private static String sign(byte[] key, String id, long expiry) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] signature = mac.doFinal((id + "." + expiry).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
