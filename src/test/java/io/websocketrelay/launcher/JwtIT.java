package io.websocketrelay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.algorithms.Algorithm;
import io.websocketrelay.launcher.io.HandshakeGate;
import io.websocketrelay.testing.Jwts;
import io.websocketrelay.testing.WireClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * JWTs through the launcher, configured by its command line ({@code --jwt-hmac-key}, {@code --jwt-public-key} with a
 * JWK Set file, {@code --jwt-audience}, {@code --jwt-issuer}), minted by a second library (java-jwt), presented as
 * {@code ?token=} and as the subprotocol {@code token.<jwt>}.
 */
@Timeout(60)
class JwtIT {

    private static final KeyPair RSA = Jwts.rsa();
    private static final KeyPair EC = Jwts.ec();

    @TempDir
    Path dir;

    private RelayServer server;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Logger gateLog = Logger.getLogger(HandshakeGate.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @AfterEach
    void stop() throws Exception {
        gateLog.removeHandler(capture);
        for (AutoCloseable client : opened) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private RelayServer start(String... args) throws StartupException {
        Options.Command command = Options.parse(args, name -> null);
        return RelayServer.start(command.options());
    }

    private WireClient raw(String path, Map<String, String> headers) throws IOException {
        WireClient client = WireClient.upgrade("127.0.0.1", server.port(), path, 0, headers);
        opened.add(client);
        return client;
    }

    private static String pair(String id, Algorithm algorithm, String kid) {
        var builder = Jwts.pair(id, System.currentTimeMillis(), 60).withAudience("relay")
                .withIssuer("https://issuer.example");
        return (kid == null ? builder : builder.withKeyId(kid)).sign(algorithm);
    }

    @Test
    void jwtsByQueryAndSubprotocolOpenTheirIdOnly() throws Exception {
        Path jwks = Files.writeString(dir.resolve("jwks.json"), Jwts.jwks(Jwts.jwk(RSA, "r1"), Jwts.jwk(EC, "e1")),
                StandardCharsets.UTF_8);
        server = start("--ip", "127.0.0.1", "--port", "0", "--jwt-hmac-key", Jwts.HMAC_KEY, "--jwt-public-key",
                jwks.toString(), "--jwt-audience", "relay", "--jwt-issuer", "https://issuer.example");
        gateLog.addHandler(capture);
        String id = "j-" + UUID.randomUUID();

        WireClient byQuery = raw("/" + id + "?token=" + pair(id, Jwts.rs256(RSA), "r1"), Map.of());
        assertEquals(101, byQuery.status());
        assertEquals("/status:waiting", byQuery.readText());
        String es256 = pair(id, Jwts.es256(EC), "e1");
        WireClient bySubprotocol = raw("/" + id, Map.of("Sec-WebSocket-Protocol", "chat, token." + es256));
        assertEquals(101, bySubprotocol.status());
        assertEquals("token." + es256, bySubprotocol.header("sec-websocket-protocol"));
        assertEquals("/status:connected", bySubprotocol.readText());
        assertEquals(101, raw("/" + id + "?token=" + pair(id, Jwts.hs256(Jwts.HMAC_KEY), null), Map.of()).status(),
                "HS256 beside the public keys");

        long now = System.currentTimeMillis();
        assertEquals(401, raw("/" + id, Map.of()).status());
        assertEquals(403, raw("/" + id + "?token=" + pair("j-other", Jwts.rs256(RSA), "r1"), Map.of()).status());
        assertEquals(403, raw("/" + id + "?token=" + Jwts.pair(id, now, 60).withAudience("relay")
                .withIssuer("https://issuer.example").sign(Algorithm.none()), Map.of()).status());
        assertEquals(403, raw("/" + id + "?token=" + Jwts.pair(id, now, -3600).withAudience("relay")
                .withIssuer("https://issuer.example").sign(Jwts.rs256(RSA)), Map.of()).status());
        assertEquals(403, raw("/" + id + "?token=" + Jwts.pair(id, now, 60).withAudience("elsewhere")
                .withIssuer("https://issuer.example").sign(Jwts.rs256(RSA)), Map.of()).status());
        assertEquals(403, raw("/" + id, Map.of("Sec-WebSocket-Protocol", "token." + pair(id, Jwts.rs256(Jwts.rsa()),
                "r1"))).status(), "a bad signature");

        List<String> reasons = logged.stream().map(record -> String.valueOf(record.getParameters()[2])).toList();
        assertEquals(List.of("no token", "token refused: token is for another id",
                "token refused: unsigned JWT (alg none)", "token refused: Expired JWT",
                "token refused: JWT aud claim rejected", "token refused: bad signature"), reasons);
        for (LogRecord record : logged) {
            assertNull(record.getThrown(), "no stack trace");
            assertEquals("127.0.0.1", record.getParameters()[0]);
        }
    }

    @Test
    void unusableKeysStopTheStartWithOneLine() throws Exception {
        StartupException shortKey = assertThrows(StartupException.class,
                () -> start("--ip", "127.0.0.1", "--port", "0", "--jwt-hmac-key", "too-short"));
        assertTrue(shortKey.getMessage().contains("RELAY_JWT_HMAC_KEY must be at least 32 bytes"), shortKey.getMessage());
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a key", StandardCharsets.UTF_8);
        StartupException noKey = assertThrows(StartupException.class,
                () -> start("--ip", "127.0.0.1", "--port", "0", "--jwt-public-key", garbage.toString()));
        assertTrue(noKey.getMessage().contains("RELAY_JWT_PUBLIC_KEY: no RS256 or ES256 public key in " + garbage),
                noKey.getMessage());
        StartupException removed = assertThrows(StartupException.class,
                () -> Options.parse(new String[] {"--port", "0"}, name -> name.equals("RELAY_TOKEN_HMAC_KEY") ? "k" : null));
        assertEquals(StartupException.USAGE, removed.exitCode());
    }
}
