package io.websocketrelay.admission;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Verifies JWT access tokens (RFC 7519) with nimbus-jose-jwt: HS256 with a shared key, RS256 and ES256 with the
 * public keys of {@link PublicKeys}. A token is accepted when
 *
 * <ul>
 *   <li>it is a JWS (compact serialisation) whose {@code alg} is one the configured keys are for: HS256 only with a
 *       shared key, RS256 only with an RSA key, ES256 only with a P-256 key ({@code none}, any other algorithm and
 *       the RS256-to-HS256 key confusion are refused), and its signature verifies with one of those keys (those with
 *       the token's {@code kid} when some have it);</li>
 *   <li>it has an {@code exp} that has not passed, and any {@code nbf} has come, each give or take
 *       {@link #CLOCK_SKEW_SECONDS};</li>
 *   <li>its {@code aud} names the configured audience and its {@code iss} is the configured issuer, where set;</li>
 *   <li>it is bound to the id asked for: a {@link Kind#PAIR pair} token's {@code sub} is the pair id and it has no
 *       {@code room} claim; a {@link Kind#ROOM room} token's {@code room} claim (a string) is the room id, whatever
 *       its {@code sub}. So a token for one id, or of one kind, opens no other.</li>
 * </ul>
 *
 * <p>Threading: immutable after construction; nimbus's verifiers are thread-safe.
 */
public final class JwtVerifier {

    /** The clock skew allowed on {@code exp} and {@code nbf}: nimbus's default, one minute. */
    public static final int CLOCK_SKEW_SECONDS = DefaultJWTClaimsVerifier.DEFAULT_MAX_CLOCK_SKEW_SECONDS;
    /** The shortest HS256 key RFC 7518 (3.2) allows: as long as the hash. */
    public static final int MIN_HMAC_KEY_BYTES = 32;
    /** The claim that binds a room token to its room. */
    public static final String ROOM_CLAIM = "room";
    private static final int MAX_REASON = 160;

    /** What a token is asked to open: a pair id ({@code /<id>}) or a room ({@code /room/<roomId>}). */
    public enum Kind { PAIR, ROOM }

    private final Map<JWSAlgorithm, List<PublicKeys.Verifier>> verifiers;
    private final DefaultJWTClaimsVerifier<SecurityContext> claims;

    /**
     * @param hmacKey         the HS256 key, empty for none
     * @param publicKeys      the RS256/ES256 keys, {@code null} for none
     * @param audience        the {@code aud} required, empty for any
     * @param issuer          the {@code iss} required, empty for any
     * @param wallClockMillis the time, for {@code exp} and {@code nbf}
     * @throws IllegalArgumentException for an HMAC key shorter than {@link #MIN_HMAC_KEY_BYTES}
     */
    JwtVerifier(String hmacKey, PublicKeys publicKeys, String audience, String issuer, LongSupplier wallClockMillis) {
        Map<JWSAlgorithm, List<PublicKeys.Verifier>> byAlgorithm = new LinkedHashMap<>();
        if (!hmacKey.isEmpty()) {
            byte[] secret = hmacKey.getBytes(StandardCharsets.UTF_8);
            if (secret.length < MIN_HMAC_KEY_BYTES) {
                throw new IllegalArgumentException("RELAY_JWT_HMAC_KEY must be at least " + MIN_HMAC_KEY_BYTES
                        + " bytes for HS256 (RFC 7518 3.2), not " + secret.length);
            }
            try {
                byAlgorithm.put(JWSAlgorithm.HS256, List.of(new PublicKeys.Verifier(null, new MACVerifier(secret))));
            } catch (JOSEException e) {
                throw new IllegalArgumentException("RELAY_JWT_HMAC_KEY: " + e.getMessage());
            }
        }
        if (publicKeys != null) {
            for (PublicKeys.Verifier verifier : publicKeys.verifiers()) {
                byAlgorithm.computeIfAbsent(verifier.algorithm(), algorithm -> new ArrayList<>()).add(verifier);
            }
        }
        this.verifiers = Collections.unmodifiableMap(byAlgorithm);
        JWTClaimsSet exact = issuer.isEmpty() ? null : new JWTClaimsSet.Builder().issuer(issuer).build();
        this.claims = new DefaultJWTClaimsVerifier<>(audience.isEmpty() ? null : Set.of(audience), exact,
                Set.of("exp"), null) {
            @Override
            protected Date currentTime() {
                return new Date(wallClockMillis.getAsLong());
            }
        };
        this.claims.setMaxClockSkew(CLOCK_SKEW_SECONDS);
    }

    /** @return whether any key is configured */
    boolean enabled() {
        return !verifiers.isEmpty();
    }

    /**
     * @param token the compact JWT
     * @param kind  what it is to open
     * @param id    the decoded pair or room id
     * @return {@code null} when the token opens {@code id}, else why not, in one line without the token
     */
    public String verify(String token, Kind kind, String id) {
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException | RuntimeException e) {
            return "not a JWT";
        }
        if (jwt instanceof PlainJWT) {
            return "unsigned JWT (alg none)";
        }
        if (jwt instanceof EncryptedJWT || !(jwt instanceof SignedJWT signed)) {
            return "encrypted JWTs are not accepted";
        }
        JWSAlgorithm algorithm = signed.getHeader().getAlgorithm();
        List<PublicKeys.Verifier> candidates = verifiers.get(algorithm);
        if (candidates == null) {
            return "algorithm " + oneLine(String.valueOf(algorithm)) + " not accepted (accepted: " + verifiers.keySet()
                    + ")";
        }
        if (!verified(signed, candidates)) {
            return "bad signature";
        }
        JWTClaimsSet set;
        try {
            set = signed.getJWTClaimsSet();
        } catch (ParseException e) {
            return "claims are not a JSON object";
        }
        try {
            claims.verify(set, null);
        } catch (BadJWTException e) {
            return oneLine(e.getMessage());
        }
        return bound(set, kind, id);
    }

    private static boolean verified(SignedJWT signed, List<PublicKeys.Verifier> candidates) {
        String kid = signed.getHeader().getKeyID();
        boolean anyWithKid = kid != null && candidates.stream().anyMatch(verifier -> kid.equals(verifier.kid()));
        for (PublicKeys.Verifier verifier : candidates) {
            if (anyWithKid && !kid.equals(verifier.kid())) {
                continue;
            }
            try {
                if (signed.verify(verifier.verifier())) {
                    return true;
                }
            } catch (JOSEException | RuntimeException e) {
                // a signature of the wrong shape: not this key's
            }
        }
        return false;
    }

    /** The binding of a verified token to what it is to open; see the class comment. */
    static String bound(JWTClaimsSet set, Kind kind, String id) {
        Object room = set.getClaim(ROOM_CLAIM);
        if (kind == Kind.ROOM) {
            if (!(room instanceof String roomId)) {
                return "no '" + ROOM_CLAIM + "' claim: not a room token";
            }
            return roomId.equals(id) ? null : "token is for another room";
        }
        if (room != null) {
            return "a room token opens no pair";
        }
        String subject = set.getSubject();
        if (subject == null) {
            return "no 'sub' claim";
        }
        return subject.equals(id) ? null : "token is for another id";
    }

    /** @return {@code text} without control characters and at most {@link #MAX_REASON} long, for a log line */
    static String oneLine(String text) {
        String clean = text == null ? "" : text.replaceAll("\\p{Cntrl}", "?");
        return clean.length() <= MAX_REASON ? clean : clean.substring(0, MAX_REASON) + "...";
    }
}
