package io.websocketrelay.admission;

import static io.websocketrelay.testing.Jwts.HMAC_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.websocketrelay.admission.JwtVerifier.Kind;
import io.websocketrelay.config.RelaySettings;
import io.websocketrelay.testing.Jwts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JWT checks, on tokens minted by Auth0's java-jwt (not the relay's library). */
class JwtVerifierTest {

    private static final long NOW = 1_800_000_000_000L;
    private static final KeyPair RSA = Jwts.rsa();
    private static final KeyPair EC = Jwts.ec();

    @TempDir
    Path dir;

    private static JwtVerifier verifier(String hmacKey, PublicKeys keys) {
        return new JwtVerifier(hmacKey, keys, "", "", () -> NOW);
    }

    private static void assertReason(String actual, String expected, boolean atStart) {
        assertTrue(actual != null && (atStart ? actual.startsWith(expected) : actual.contains(expected)),
                () -> "expected a reason with '" + expected + "', got: " + actual);
    }

    private Path file(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    @Test
    void hs256TokenOpensItsPairIdOnly() {
        JwtVerifier verifier = verifier(HMAC_KEY, null);
        String token = Jwts.pair("abc", NOW, 60).sign(Jwts.hs256(HMAC_KEY));
        assertNull(verifier.verify(token, Kind.PAIR, "abc"));
        assertEquals("token is for another id", verifier.verify(token, Kind.PAIR, "abd"));
        assertEquals("no 'room' claim: not a room token", verifier.verify(token, Kind.ROOM, "abc"));
        assertEquals("bad signature", verifier.verify(Jwts.pair("abc", NOW, 60)
                .sign(Jwts.hs256(HMAC_KEY + "x")), Kind.PAIR, "abc"));
    }

    @Test
    void rs256AndEs256FromPemFiles() throws Exception {
        Path pem = file("keys.pem", Jwts.pem(RSA) + Jwts.pem(EC));
        JwtVerifier verifier = verifier("", PublicKeys.load(pem.toString()));
        assertNull(verifier.verify(Jwts.pair("p1", NOW, 60).sign(Jwts.rs256(RSA)), Kind.PAIR, "p1"));
        assertNull(verifier.verify(Jwts.pair("p1", NOW, 60).sign(Jwts.es256(EC)), Kind.PAIR, "p1"));
        assertEquals("bad signature", verifier.verify(Jwts.pair("p1", NOW, 60).sign(Jwts.rs256(Jwts.rsa())),
                Kind.PAIR, "p1"));
        assertEquals("bad signature", verifier.verify(Jwts.pair("p1", NOW, 60).sign(Jwts.es256(Jwts.ec())),
                Kind.PAIR, "p1"));
        // the same PEM inline rather than as a file
        JwtVerifier inline = verifier("", PublicKeys.load(Jwts.pem(EC)));
        assertNull(inline.verify(Jwts.pair("p1", NOW, 60).sign(Jwts.es256(EC)), Kind.PAIR, "p1"));
    }

    @Test
    void rs256AndEs256FromAJwkSetWithKeyIds() throws Exception {
        KeyPair other = Jwts.rsa();
        Path jwks = file("jwks.json", Jwts.jwks(Jwts.jwk(RSA, "r1"), Jwts.jwk(other, "r2"), Jwts.jwk(EC, "e1")));
        JwtVerifier verifier = verifier("", PublicKeys.load(jwks.toString()));
        assertNull(verifier.verify(Jwts.pair("p", NOW, 60).withKeyId("r1").sign(Jwts.rs256(RSA)), Kind.PAIR, "p"));
        assertNull(verifier.verify(Jwts.pair("p", NOW, 60).withKeyId("r2").sign(Jwts.rs256(other)), Kind.PAIR, "p"));
        assertNull(verifier.verify(Jwts.pair("p", NOW, 60).sign(Jwts.rs256(other)), Kind.PAIR, "p"), "no kid: any key");
        assertNull(verifier.verify(Jwts.pair("p", NOW, 60).withKeyId("e1").sign(Jwts.es256(EC)), Kind.PAIR, "p"));
        assertEquals("bad signature", verifier.verify(Jwts.pair("p", NOW, 60).withKeyId("r2").sign(Jwts.rs256(RSA)),
                Kind.PAIR, "p"), "a kid names its key");
        // one JWK rather than a set
        JwtVerifier single = verifier("", PublicKeys.load(file("jwk.json", Jwts.jwk(EC, null)).toString()));
        assertNull(single.verify(Jwts.pair("p", NOW, 60).sign(Jwts.es256(EC)), Kind.PAIR, "p"));
    }

    @Test
    void unsignedAndWrongAlgorithmsAreRefused() {
        JwtVerifier publicOnly = verifier("", PublicKeys.load(Jwts.pem(RSA)));
        assertEquals("unsigned JWT (alg none)", publicOnly.verify(Jwts.pair("p", NOW, 60).sign(Algorithm.none()),
                Kind.PAIR, "p"));
        // an HS256 token where only a public key is configured
        assertReason(publicOnly.verify(Jwts.pair("p", NOW, 60).sign(Jwts.hs256(HMAC_KEY)), Kind.PAIR, "p"),
                "algorithm HS256 not accepted", true);
        // an ES256 token where only an RSA key is configured, and an RS256 one where only the HMAC key is
        assertReason(publicOnly.verify(Jwts.pair("p", NOW, 60).sign(Jwts.es256(EC)), Kind.PAIR, "p"),
                "algorithm ES256 not accepted", true);
        JwtVerifier hmacOnly = verifier(HMAC_KEY, null);
        assertReason(hmacOnly.verify(Jwts.pair("p", NOW, 60).sign(Jwts.rs256(RSA)), Kind.PAIR, "p"),
                "algorithm RS256 not accepted", true);
        // RS256 -> HS256 key confusion: HMAC "signed" with the public key's PEM text and with its DER bytes
        for (byte[] publicKeyAsSecret : new byte[][] {Jwts.pem(RSA).getBytes(StandardCharsets.US_ASCII),
            RSA.getPublic().getEncoded()}) {
            String confused = Jwts.pair("p", NOW, 60).sign(Algorithm.HMAC256(publicKeyAsSecret));
            assertReason(publicOnly.verify(confused, Kind.PAIR, "p"), "algorithm HS256 not accepted", true);
            JwtVerifier both = verifier(HMAC_KEY, PublicKeys.load(Jwts.pem(RSA)));
            assertEquals("bad signature", both.verify(confused, Kind.PAIR, "p"));
        }
    }

    @Test
    void aTamperedPayloadBreaksTheSignature() {
        String token = Jwts.pair("p", NOW, 60).sign(Jwts.hs256(HMAC_KEY));
        String[] parts = token.split("\\.");
        String other = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"sub\":\"q\",\"exp\":" + (NOW / 1000 + 60) + "}").getBytes(StandardCharsets.UTF_8));
        assertEquals("bad signature", verifier(HMAC_KEY, null).verify(parts[0] + "." + other + "." + parts[2],
                Kind.PAIR, "q"));
        assertEquals("not a JWT", verifier(HMAC_KEY, null).verify("a.b.c", Kind.PAIR, "q"));
    }

    @Test
    void expiryIsRequiredAndTimesAllowASmallSkew() {
        JwtVerifier verifier = verifier(HMAC_KEY, null);
        Algorithm hs = Jwts.hs256(HMAC_KEY);
        int skew = JwtVerifier.CLOCK_SKEW_SECONDS;
        assertEquals("Expired JWT", verifier.verify(Jwts.pair("p", NOW, -skew - 5).sign(hs), Kind.PAIR, "p"));
        assertNull(verifier.verify(Jwts.pair("p", NOW, -skew + 5).sign(hs), Kind.PAIR, "p"), "expired within the skew");
        assertReason(verifier.verify(JWT.create().withSubject("p").sign(hs), Kind.PAIR, "p"), "exp", false);
        Instant now = Instant.ofEpochMilli(NOW);
        assertEquals("JWT before use time", verifier.verify(Jwts.pair("p", NOW, 600)
                .withNotBefore(now.plusSeconds(skew + 30)).sign(hs), Kind.PAIR, "p"));
        assertNull(verifier.verify(Jwts.pair("p", NOW, 600).withNotBefore(now.plusSeconds(skew - 5)).sign(hs),
                Kind.PAIR, "p"), "nbf within the skew");
    }

    @Test
    void audienceAndIssuerMustMatchWhenSet() {
        JwtVerifier verifier = new JwtVerifier(HMAC_KEY, null, "relay", "https://issuer.example", () -> NOW);
        Algorithm hs = Jwts.hs256(HMAC_KEY);
        assertNull(verifier.verify(Jwts.pair("p", NOW, 60).withAudience("other", "relay")
                .withIssuer("https://issuer.example").sign(hs), Kind.PAIR, "p"));
        assertReason(verifier.verify(Jwts.pair("p", NOW, 60).withAudience("other")
                .withIssuer("https://issuer.example").sign(hs), Kind.PAIR, "p"), "aud", false);
        assertReason(verifier.verify(Jwts.pair("p", NOW, 60).withIssuer("https://issuer.example").sign(hs), Kind.PAIR,
                "p"), "aud", false);
        assertReason(verifier.verify(Jwts.pair("p", NOW, 60).withAudience("relay").withIssuer("https://evil.example")
                .sign(hs), Kind.PAIR, "p"), "iss", false);
        assertTrue(verifier.verify(Jwts.pair("p", NOW, 60).withAudience("relay").withIssuer("x\ny").sign(hs),
                Kind.PAIR, "p").indexOf('\n') < 0, "a claim in the reason stays on one line");
    }

    @Test
    void roomTokensAndPairTokensOpenOnlyTheirOwnKind() {
        JwtVerifier verifier = verifier(HMAC_KEY, null);
        Algorithm hs = Jwts.hs256(HMAC_KEY);
        String room = Jwts.room("r1", NOW, 60).withSubject("alice").sign(hs);
        assertNull(verifier.verify(room, Kind.ROOM, "r1"));
        assertEquals("token is for another room", verifier.verify(room, Kind.ROOM, "r2"));
        assertEquals("a room token opens no pair", verifier.verify(room, Kind.PAIR, "alice"));
        assertEquals("a room token opens no pair", verifier.verify(Jwts.room("r1", NOW, 60).withSubject("r1").sign(hs),
                Kind.PAIR, "r1"));
        assertEquals("no 'sub' claim", verifier.verify(Jwts.room("r1", NOW, 60).withClaim("room", (String) null)
                .sign(hs), Kind.PAIR, "r1"));
        assertEquals("no 'room' claim: not a room token", verifier.verify(Jwts.pair("r1", NOW, 60)
                .withClaim("room", 7).sign(hs), Kind.ROOM, "r1"));
    }

    @Test
    void badKeysStopTheStartWithTheSettingNamed() throws Exception {
        IllegalArgumentException shortKey = assertThrows(IllegalArgumentException.class,
                () -> verifier("short", null));
        assertTrue(shortKey.getMessage().startsWith("RELAY_JWT_HMAC_KEY must be at least 32 bytes"), shortKey.getMessage());
        for (String value : new String[] {dir.resolve("missing.pem").toString(), "{\"keys\": 3}",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", file("empty.json", "{\"keys\":[]}").toString(),
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PublicKeys.load(value));
            assertTrue(e.getMessage().startsWith("RELAY_JWT_PUBLIC_KEY: "), e.getMessage());
            assertTrue(e.getMessage().indexOf('\n') < 0, e.getMessage());
        }
    }

    @Test
    void throughAdmissionAMissingTokenIs401AndARefusedOne403() {
        Admission admission = new Admission(RelaySettings.of(Map.of(RelaySettings.JWT_HMAC_KEY, HMAC_KEY)),
                System::nanoTime, () -> NOW);
        String token = Jwts.pair("room 1", NOW, 60).sign(Jwts.hs256(HMAC_KEY));
        assertNull(admission.check("/room%201", "token=" + token, null, null, "a", false));
        assertNull(admission.check("/room%201", null, null, "chat, token." + token, "a", false));
        assertEquals(401, admission.check("/room%201", null, null, null, "a", false).status());
        Admission.Refusal other = admission.check("/room%202", "token=" + token, null, null, "a", false);
        assertEquals(403, other.status());
        assertEquals("token refused: token is for another id", other.reason());
        assertEquals(403, admission.check("/x", "token=not-a-jwt", null, null, "a", false).status());
        String room = Jwts.room("r 1", NOW, 60).sign(Jwts.hs256(HMAC_KEY));
        assertNull(admission.check(Kind.ROOM, "/room/r%201", "token=" + room, null, null, "a", false));
        assertNull(admission.check("/room/r%201", "token=" + room, null, null, "a", false), "the kind from the path");
        assertEquals(403, admission.check("/r%201", "token=" + room, null, null, "a", false).status(),
                "a room token opens no pair");
        assertNull(admission.checkToken(Kind.ROOM, "r%201", "token=" + room, null));
        assertEquals(403, admission.checkToken(Kind.PAIR, "r%201", "token=" + room, null).status());
    }
}
