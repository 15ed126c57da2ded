package io.websocketrelay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.websocketrelay.config.RelaySettings;
import io.websocketrelay.launcher.io.HandshakeGate;
import io.websocketrelay.testing.Nginx;
import io.websocketrelay.testing.WireClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The launcher behind a real nginx (Debian's {@code /usr/sbin/nginx}) running the shipped
 * {@code server-config/nginx/websocket-relay.conf}, plain and terminating TLS, with {@code RELAY_TRUSTED_PROXIES}
 * set to nginx's address. Clients connect from distinct loopback addresses (127.0.0.2 and up), so the relay's
 * per-address limit (one open connection per address here) shows which address it took: the client's, forwarded in
 * {@code X-Forwarded-For}, and never one a client wrote itself. Without nginx the test is skipped, except with
 * {@code CI=true}, where it fails.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProxyIT {

    private static final Path BASE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    private static final Path NGINX = Path.of(System.getenv().getOrDefault("NGINX", "/usr/sbin/nginx"));
    private static final char[] PASSWORD = "proxy-test".toCharArray();

    private static RelayServer relay;
    private static Nginx nginx;
    private static SSLContext trusting;

    private final List<WireClient> opened = new ArrayList<>();
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

    @BeforeAll
    static void startRelayAndNginx() throws Exception {
        if (!Files.isExecutable(NGINX)) {
            if ("true".equals(System.getenv("CI"))) {
                fail(NGINX + " is missing (CI=true: the proxy test must run): apt-get install -y nginx");
            }
            System.err.println("ProxyIT skipped: " + NGINX + " is missing: apt-get install -y nginx");
            Assumptions.assumeTrue(false, NGINX + " is missing");
        }
        Path dir = BASE.resolve("target/proxy-it-" + UUID.randomUUID());
        Files.createDirectories(dir);
        Path[] pem = certificate(dir);
        relay = RelayServer.start(Options.of("127.0.0.1", 0, RelaySettings.of(Map.of(
                RelaySettings.TRUSTED_PROXIES, "127.0.0.1/32", RelaySettings.MAX_CONNECTIONS_PER_ADDRESS, "1"))));
        nginx = Nginx.start(NGINX, BASE.resolve("server-config/nginx/websocket-relay.conf"), dir, relay.port(),
                pem[0], pem[1]);
    }

    @AfterAll
    static void stopBoth() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
        if (relay != null) {
            relay.close();
        }
    }

    @BeforeEach
    void listen() {
        gateLog.addHandler(capture);
    }

    @AfterEach
    void closeClients() throws IOException {
        gateLog.removeHandler(capture);
        for (WireClient client : opened) {
            client.close();
        }
    }

    @Test
    void plainNginxForwardsEachClientsAddress() throws Exception {
        forwardsEachClientsAddress(false, "127.0.0.2", "127.0.0.3");
    }

    @Test
    void tlsTerminatingNginxForwardsEachClientsAddress() throws Exception {
        forwardsEachClientsAddress(true, "127.0.0.4", "127.0.0.5");
    }

    private void forwardsEachClientsAddress(boolean tls, String first, String second) throws Exception {
        String id = "p-" + UUID.randomUUID();
        WireClient a = viaNginx(tls, first, "/" + id, Map.of());
        assertEquals(101, a.status(), nginx.log());
        assertEquals("/status:waiting", a.readText());
        // both come to the relay from nginx's 127.0.0.1; with its forwarded address each is within its limit of one
        WireClient b = viaNginx(tls, second, "/" + id, Map.of());
        assertEquals(101, b.status(), nginx.log());
        assertEquals("/status:connected", b.readText());
        b.sendText("through nginx");
        assertEquals("through nginx", readUntil(a, "through nginx"));

        assertEquals(503, viaNginx(tls, first, "/" + UUID.randomUUID(), Map.of()).status(), "a second from " + first);
        // what a client writes itself: nginx appends the address it sees to X-Forwarded-For and drops Forwarded
        assertEquals(503, viaNginx(tls, second, "/" + UUID.randomUUID(), Map.of("X-Forwarded-For", "127.0.0.99",
                "Forwarded", "for=127.0.0.98")).status(), "a forged header is not believed");
        assertEquals(List.of(first, second), refusedAddresses());
    }

    @Test
    void aDirectClientsForwardingHeadersAreIgnored() throws Exception {
        WireClient first = direct("127.0.0.6", Map.of("X-Forwarded-For", "127.0.0.50"));
        assertEquals(101, first.status());
        assertEquals(503, direct("127.0.0.6", Map.of("X-Forwarded-For", "127.0.0.51")).status());
        assertEquals(503, direct("127.0.0.6", Map.of("Forwarded", "for=127.0.0.52")).status());
        assertEquals(List.of("127.0.0.6", "127.0.0.6"), refusedAddresses());
    }

    private List<Object> refusedAddresses() {
        return logged.stream().filter(record -> Integer.valueOf(503).equals(record.getParameters()[1]))
                .map(record -> record.getParameters()[0]).toList();
    }

    private WireClient viaNginx(boolean tls, String from, String path, Map<String, String> headers) throws IOException {
        int port = tls ? nginx.tlsPort() : nginx.plainPort();
        Socket socket = tls ? trusting.getSocketFactory().createSocket() : new Socket();
        return open(socket, from, port, path, headers);
    }

    private WireClient direct(String from, Map<String, String> headers) throws IOException {
        return open(new Socket(), from, relay.port(), "/" + UUID.randomUUID(), headers);
    }

    private WireClient open(Socket socket, String from, int port, String path, Map<String, String> headers)
            throws IOException {
        socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        WireClient client = WireClient.upgrade(socket, "127.0.0.1", port, path, headers);
        opened.add(client);
        return client;
    }

    private static String readUntil(WireClient client, String expected) throws IOException {
        for (int i = 0; i < 5; i++) {
            String text = client.readText();
            if (text.equals(expected)) {
                return text;
            }
        }
        return "not within 5 messages";
    }

    /** @return a self-signed certificate for 127.0.0.1 from the JDK's keytool, and its key, as PEM files */
    private static Path[] certificate(Path dir) throws Exception {
        Path p12 = dir.resolve("nginx.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-noprompt", "-alias", "nginx", "-keyalg", "EC", "-groupname", "secp256r1",
                "-validity", "2", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1",
                "-storetype", "PKCS12", "-keystore", p12.toString(),
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
                .redirectErrorStream(true).redirectOutput(dir.resolve("keytool.log").toFile()).start();
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS), "keytool did not finish in 60 s");
        assertEquals(0, keytool.exitValue(), () -> "keytool failed: " + read(dir.resolve("keytool.log")));
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            store.load(in, PASSWORD);
        }
        Certificate certificate = store.getCertificate("nginx");
        Path cert = Files.writeString(dir.resolve("cert.pem"), pem("CERTIFICATE", certificate.getEncoded()));
        Path key = Files.writeString(dir.resolve("key.pem"), pem("PRIVATE KEY",
                store.getKey("nginx", PASSWORD).getEncoded()));
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("nginx", certificate);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        trusting = SSLContext.getInstance("TLS");
        trusting.init(null, factory.getTrustManagers(), null);
        return new Path[] {cert, key};
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.getMessage();
        }
    }
}
