package io.websocketrelay.testing;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;

/**
 * Mints JWTs for the tests with a second, independent implementation (Auth0's java-jwt), so that the relay's
 * verification (nimbus-jose-jwt) is checked against tokens it did not make; also writes their keys as PEM and as
 * hand-made JWK Sets.
 */
public final class Jwts {

    /** A shared HS256 key of the 32 bytes RFC 7518 asks for. */
    public static final String HMAC_KEY = "relay-test-hs256-key-of-32-bytes!";

    private Jwts() {
    }

    /** @return a new RSA 2048 key pair */
    public static KeyPair rsa() {
        return generate("RSA", null);
    }

    /** @return a new EC P-256 key pair */
    public static KeyPair ec() {
        return generate("EC", new ECGenParameterSpec("secp256r1"));
    }

    private static KeyPair generate(String algorithm, ECGenParameterSpec curve) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (curve != null) {
                generator.initialize(curve);
            } else {
                generator.initialize(2048);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Algorithm hs256(String key) {
        return Algorithm.HMAC256(key.getBytes(StandardCharsets.UTF_8));
    }

    public static Algorithm rs256(KeyPair keys) {
        return Algorithm.RSA256((RSAPublicKey) keys.getPublic(), (RSAPrivateKey) keys.getPrivate());
    }

    public static Algorithm es256(KeyPair keys) {
        return Algorithm.ECDSA256((ECPublicKey) keys.getPublic(), (ECPrivateKey) keys.getPrivate());
    }

    /** @return a token builder with {@code sub} and an {@code exp} this many seconds after {@code nowMillis} */
    public static JWTCreator.Builder pair(String id, long nowMillis, long expiresInSeconds) {
        return JWT.create().withSubject(id).withExpiresAt(Instant.ofEpochMilli(nowMillis).plusSeconds(expiresInSeconds));
    }

    /** @return a token builder with a {@code room} claim and an {@code exp} this many seconds after {@code nowMillis} */
    public static JWTCreator.Builder room(String roomId, long nowMillis, long expiresInSeconds) {
        return JWT.create().withClaim("room", roomId)
                .withExpiresAt(Instant.ofEpochMilli(nowMillis).plusSeconds(expiresInSeconds));
    }

    /** @return the public key as a PEM {@code PUBLIC KEY} block */
    public static String pem(KeyPair keys) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(keys.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    /** @return the public key as one JWK (JSON written by hand), with {@code kid} when not {@code null} */
    public static String jwk(KeyPair keys, String kid) {
        String id = kid == null ? "" : "\"kid\":\"" + kid + "\",";
        if (keys.getPublic() instanceof RSAPublicKey rsa) {
            return "{" + id + "\"kty\":\"RSA\",\"use\":\"sig\",\"n\":\"" + unsigned(rsa.getModulus(), 0)
                    + "\",\"e\":\"" + unsigned(rsa.getPublicExponent(), 0) + "\"}";
        }
        ECPublicKey ec = (ECPublicKey) keys.getPublic();
        return "{" + id + "\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" + unsigned(ec.getW().getAffineX(), 32)
                + "\",\"y\":\"" + unsigned(ec.getW().getAffineY(), 32) + "\"}";
    }

    /** @return a JWK Set of these JWKs */
    public static String jwks(String... jwks) {
        return "{\"keys\":[" + String.join(",", jwks) + "]}";
    }

    /** base64url of a positive number's big-endian bytes, without a sign byte, left-padded to {@code length} */
    private static String unsigned(BigInteger value, int length) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        if (bytes.length < length) {
            byte[] padded = new byte[length];
            System.arraycopy(bytes, 0, padded, length - bytes.length, bytes.length);
            bytes = padded;
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
