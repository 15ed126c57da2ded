package io.websocketrelay.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.websocketrelay.config.RelaySettings;
import io.websocketrelay.core.Protocol;
import io.websocketrelay.testing.RelayClient;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wss://} on an in-process relay: a self-signed certificate made with the JDK's keytool, served from PEM files
 * and from a PKCS#12 file; only TLS 1.2 and 1.3 are accepted; bad key material stops the start with one line.
 *
 * <p>Only one relay runs at a time in a JVM (the endpoints are taken from {@code CDI.current()}), so each test starts
 * at most one and {@link #stop()} closes it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsIT {

    private static final char[] PASSWORD = "relay-test".toCharArray();
    private static final int SOCKET_TIMEOUT_MILLIS = 10_000;

    @TempDir
    static Path dir;

    private static Path p12;
    private static Path certPem;
    private static Path keyPem;
    private static X509Certificate certificate;
    private static PrivateKey privateKey;
    private static SSLContext trusting;

    private RelayServer server;

    @BeforeAll
    static void makeCertificate() throws Exception {
        p12 = dir.resolve("relay.p12");
        Path log = dir.resolve("keytool.log");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-noprompt",
                "-alias", "relay", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-storetype", "PKCS12", "-keystore", p12.toString(),
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "keytool did not finish in 60 s");
            assertEquals(0, process.exitValue(), () -> "keytool failed: " + readQuietly(log));
        } finally {
            process.destroyForcibly();
        }

        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            store.load(in, PASSWORD);
        }
        certificate = (X509Certificate) store.getCertificate("relay");
        privateKey = (PrivateKey) store.getKey("relay", PASSWORD);
        assertNotNull(certificate, "keytool wrote no certificate");
        assertNotNull(privateKey, "keytool wrote no key");

        certPem = dir.resolve("cert.pem");
        keyPem = dir.resolve("key.pem");
        Files.writeString(certPem, pem("CERTIFICATE", certificate.getEncoded()), StandardCharsets.US_ASCII);
        Files.writeString(keyPem, pem("PRIVATE KEY", privateKey.getEncoded()), StandardCharsets.US_ASCII);

        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("relay", certificate);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        trusting = SSLContext.getInstance("TLS");
        trusting.init(null, factory.getTrustManagers(), null);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    // ---- serving wss:// ----

    @Test
    void pemFilesServeWss() throws Exception {
        server = start(new Tls.Files(certPem, keyPem, new char[0]));
        assertEquals("wss://127.0.0.1:" + server.port() + "/<id>", server.url());
        pairAndRelay(server.port(), "pem");
    }

    @Test
    void pkcs12FileServesWss() throws Exception {
        Tls.Files files = new Tls.Files(p12, null, PASSWORD.clone());
        assertTrue(files.isPkcs12());
        server = start(files);
        assertTrue(server.url().startsWith("wss://127.0.0.1:"), server.url());
        pairAndRelay(server.port(), "p12");
        assertEquals("TLSv1.3", handshake(server.port(), null));
    }

    @Test
    void tls13IsNegotiatedByDefault() throws Exception {
        server = start(new Tls.Files(certPem, keyPem, new char[0]));
        try (SSLSocket socket = connectTls(server.port(), null)) {
            assertEquals("TLSv1.3", socket.getSession().getProtocol());
            assertTrue(Tls.CIPHER_SUITES.contains(socket.getSession().getCipherSuite()), socket.getSession().getCipherSuite());
            assertEquals(certificate, socket.getSession().getPeerCertificates()[0], "the server shows the leaf");
        }
    }

    @Test
    void tls12WorksWhenTheClientOffersOnlyIt() throws Exception {
        server = start(new Tls.Files(certPem, keyPem, new char[0]));
        try (SSLSocket socket = connectTls(server.port(), "TLSv1.2")) {
            assertEquals("TLSv1.2", socket.getSession().getProtocol());
            String suite = socket.getSession().getCipherSuite();
            assertTrue(suite.startsWith("TLS_ECDHE_") && Tls.CIPHER_SUITES.contains(suite), "forward secret AEAD: " + suite);
        }
    }

    /** Keeps the list of accepted protocols in view: the server must offer exactly TLS 1.3 and 1.2. */
    @Test
    void protocolsAreTls13And12() {
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), Tls.PROTOCOLS);
    }

    /** A JDK client that offers only TLS 1.1; runs only where the JDK still lets a client enable it. */
    @Test
    void jdkClientOfferingOnlyTls11IsRefused() throws Exception {
        String disabled = String.valueOf(Security.getProperty("jdk.tls.disabledAlgorithms"));
        assumeFalse(Arrays.stream(disabled.split(",")).map(String::trim).anyMatch("TLSv1.1"::equals),
                "this JDK disables TLSv1.1 for clients (jdk.tls.disabledAlgorithms); see tls11ClientHelloIsRefused");
        server = start(new Tls.Files(certPem, keyPem, new char[0]));
        assertThrows(SSLException.class, () -> connectTls(server.port(), "TLSv1.1").close());
    }

    /**
     * A hand-made ClientHello offering at most TLS 1.1 gets no ServerHello, whatever the JDK allows its own clients;
     * the same bytes with TLS 1.2 in them do get one, so it is the version that is refused.
     */
    @Test
    void tls11ClientHelloIsRefused() throws Exception {
        server = start(new Tls.Files(certPem, keyPem, new char[0]));
        assertEquals("ServerHello 0303", rawHandshake(server.port(), 0x0303), "control: the same hello as TLS 1.2");
        String answer = rawHandshake(server.port(), 0x0302);
        assertTrue(answer.equals("fatal alert 70") || answer.equals("closed"), "TLS 1.1 must be refused, got " + answer);
    }

    // ---- bad key material: one line, exit code 1 ----

    @Test
    void missingCertificateFile() {
        Path missing = dir.resolve("missing-cert.pem");
        StartupException e = startFails(new Tls.Files(missing, keyPem, new char[0]));
        assertMessage(e, "certificate file", missing.toString(), "does not exist");
    }

    @Test
    void missingKeyFile() {
        Path missing = dir.resolve("missing-key.pem");
        StartupException e = startFails(new Tls.Files(certPem, missing, new char[0]));
        assertMessage(e, "private key file", missing.toString(), "does not exist");
    }

    @Test
    void keyThatDoesNotMatchTheCertificate() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        Path other = dir.resolve("other-key.pem");
        Files.writeString(other, pem("PRIVATE KEY", generator.generateKeyPair().getPrivate().getEncoded()));
        StartupException e = startFails(new Tls.Files(certPem, other, new char[0]));
        assertMessage(e, other.toString(), "does not match the certificate", certPem.toString());
    }

    @Test
    void pkcs1KeyIsRefusedWithAHint() throws Exception {
        Path pkcs1 = dir.resolve("rsa-key.pem");
        Files.writeString(pkcs1, pem("RSA PRIVATE KEY", pkcs1(privateKey.getEncoded())));
        StartupException e = startFails(new Tls.Files(certPem, pkcs1, new char[0]));
        assertMessage(e, pkcs1.toString(), "not PKCS#8", "openssl pkcs8 -topk8");
    }

    @Test
    void garbageKeyFile() throws Exception {
        Path garbage = dir.resolve("garbage-key.pem");
        Files.writeString(garbage, "this is not a key\n");
        StartupException e = startFails(new Tls.Files(certPem, garbage, new char[0]));
        assertMessage(e, garbage.toString(), "BEGIN PRIVATE KEY");

        Path garbageBlock = dir.resolve("garbage-block.pem");
        Files.writeString(garbageBlock, pem("PRIVATE KEY", "not DER at all".getBytes(StandardCharsets.US_ASCII)));
        e = startFails(new Tls.Files(certPem, garbageBlock, new char[0]));
        assertMessage(e, "cannot parse the private key", garbageBlock.toString());
    }

    @Test
    void certificateFileWithoutCertificate() throws Exception {
        StartupException e = startFails(new Tls.Files(keyPem, keyPem, new char[0]));
        assertMessage(e, keyPem.toString(), "no PEM certificate");
    }

    @Test
    void pkcs12WithWrongPassword() {
        StartupException e = startFails(new Tls.Files(p12, null, "wrong".toCharArray()));
        assertMessage(e, "PKCS#12", p12.toString(), "RELAY_TLS_PASSWORD");
    }

    @Test
    void aFailedStartLeavesNothingBehind() throws Exception {
        startFails(new Tls.Files(dir.resolve("missing-cert.pem"), keyPem, new char[0]));
        server = start(new Tls.Files(certPem, keyPem, new char[0]));
        assertEquals("TLSv1.3", handshake(server.port(), null));
    }

    // ---- helpers ----

    private static RelayServer start(Tls.Files files) throws StartupException {
        return RelayServer.start(new Options("127.0.0.1", 0, "", files, RelaySettings.defaults()));
    }

    private StartupException startFails(Tls.Files files) {
        StartupException e = assertThrows(StartupException.class, () -> {
            server = start(files);
        });
        assertEquals(StartupException.FAILURE, e.exitCode(), e.getMessage());
        assertEquals(1, e.exitCode());
        return e;
    }

    private static void assertMessage(StartupException e, String... mentions) {
        String message = e.getMessage();
        assertNotNull(message);
        assertFalse(message.contains("\n") || message.contains("\r"), () -> "one line: " + message);
        assertFalse(message.contains("Exception"), () -> "no exception class in: " + message);
        for (String mention : mentions) {
            assertTrue(message.contains(mention), () -> "'" + message + "' should mention " + mention);
        }
    }

    private static void pairAndRelay(int port, String id) throws IOException {
        URI uri = URI.create("wss://127.0.0.1:" + port + "/" + id);
        try (RelayClient first = RelayClient.connect(uri, trusting)) {
            first.expect(Protocol.WAITING);
            try (RelayClient second = RelayClient.connect(uri, trusting)) {
                second.expect(Protocol.CONNECTED);
                first.expect(Protocol.REMOTE_OPEN, Protocol.CONNECTED);
                first.send("over tls from the first");
                second.expect("over tls from the first");
                second.send("and back from the second");
                first.expect("and back from the second");
                byte[] data = {0, 1, 2, (byte) 0xff};
                second.send(data);
                assertArrayEquals(data, first.nextBinary());
            }
        }
    }

    private static String handshake(int port, String protocol) throws IOException {
        try (SSLSocket socket = connectTls(port, protocol)) {
            return socket.getSession().getProtocol();
        }
    }

    /** @return a socket whose handshake is done, offering only {@code protocol} or the JDK's defaults when null */
    private static SSLSocket connectTls(int port, String protocol) throws IOException {
        SSLSocket socket = (SSLSocket) trusting.getSocketFactory().createSocket();
        try {
            socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
            socket.connect(new InetSocketAddress("127.0.0.1", port), SOCKET_TIMEOUT_MILLIS);
            if (protocol != null) {
                socket.setEnabledProtocols(new String[] {protocol});
            }
            socket.startHandshake();
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Sends a ClientHello of {@code version} (0x0302 TLS 1.1, 0x0303 TLS 1.2) with ECDHE suites and the usual
     * extensions, and reads the first record of the answer.
     *
     * @return {@code "ServerHello <version in hex>"}, {@code "fatal alert <n>"}, {@code "closed"} or another description
     */
    private static String rawHandshake(int port, int version) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
            socket.connect(new InetSocketAddress("127.0.0.1", port), SOCKET_TIMEOUT_MILLIS);
            socket.getOutputStream().write(clientHello(version));
            socket.getOutputStream().flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            try {
                int type = in.readUnsignedByte();
                in.readUnsignedShort(); // record version
                int length = in.readUnsignedShort();
                if (type == 0x15 && length >= 2) {
                    int level = in.readUnsignedByte();
                    int description = in.readUnsignedByte();
                    return (level == 2 ? "fatal" : "warning") + " alert " + description;
                }
                if (type == 0x16) {
                    int handshakeType = in.readUnsignedByte();
                    in.readFully(new byte[3]); // handshake length
                    int serverVersion = in.readUnsignedShort();
                    return (handshakeType == 2 ? "ServerHello " : "handshake " + handshakeType + " ")
                            + String.format("%04x", serverVersion);
                }
                return "record type " + type;
            } catch (EOFException | SocketException e) {
                return "closed";
            }
        }
    }

    private static byte[] clientHello(int version) throws IOException {
        ByteArrayOutputStream hello = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(hello);
        out.writeShort(version);
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        out.write(random);
        out.writeByte(0); // no session id
        // ECDHE_RSA with AES-GCM (TLS 1.2 only) and AES-CBC (TLS 1.0 to 1.2), RSA with AES-CBC, renegotiation SCSV
        int[] suites = {0xC02F, 0xC030, 0xC013, 0xC014, 0x002F, 0x0035, 0x00FF};
        out.writeShort(suites.length * 2);
        for (int suite : suites) {
            out.writeShort(suite);
        }
        out.writeByte(1); // compression methods: null only
        out.writeByte(0);
        ByteArrayOutputStream extensions = new ByteArrayOutputStream();
        DataOutputStream ext = new DataOutputStream(extensions);
        ext.writeShort(0x000a); // supported_groups: x25519, secp256r1
        ext.writeShort(6);
        ext.writeShort(4);
        ext.writeShort(0x001d);
        ext.writeShort(0x0017);
        ext.writeShort(0x000b); // ec_point_formats: uncompressed
        ext.writeShort(2);
        ext.writeByte(1);
        ext.writeByte(0);
        ext.writeShort(0x000d); // signature_algorithms: rsa_pss_rsae_sha256, rsa_pkcs1_sha256
        ext.writeShort(6);
        ext.writeShort(4);
        ext.writeShort(0x0804);
        ext.writeShort(0x0401);
        out.writeShort(extensions.size());
        out.write(extensions.toByteArray());
        byte[] body = hello.toByteArray();

        ByteArrayOutputStream record = new ByteArrayOutputStream();
        DataOutputStream rec = new DataOutputStream(record);
        rec.writeByte(0x16); // handshake
        rec.writeShort(0x0301); // record layer version, as clients send it
        rec.writeShort(body.length + 4);
        rec.writeByte(1); // client_hello
        rec.writeByte(body.length >>> 16);
        rec.writeShort(body.length & 0xffff);
        rec.write(body);
        return record.toByteArray();
    }

    private static String pem(String type, byte[] der) {
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n";
    }

    /** @return the PKCS#1 RSAPrivateKey inside a PKCS#8 PrivateKeyInfo (the content of its OCTET STRING) */
    private static byte[] pkcs1(byte[] pkcs8) throws GeneralSecurityException {
        int[] at = {0};
        expectTag(pkcs8, at, 0x30);
        length(pkcs8, at); // PrivateKeyInfo: step into the SEQUENCE
        expectTag(pkcs8, at, 0x02);
        int version = length(pkcs8, at);
        at[0] += version;
        expectTag(pkcs8, at, 0x30);
        int algorithm = length(pkcs8, at);
        at[0] += algorithm;
        expectTag(pkcs8, at, 0x04);
        int length = length(pkcs8, at);
        return Arrays.copyOfRange(pkcs8, at[0], at[0] + length);
    }

    private static void expectTag(byte[] der, int[] at, int tag) throws GeneralSecurityException {
        if ((der[at[0]++] & 0xff) != tag) {
            throw new GeneralSecurityException("unexpected DER tag at " + (at[0] - 1));
        }
    }

    private static int length(byte[] der, int[] at) {
        int first = der[at[0]++] & 0xff;
        if (first < 0x80) {
            return first;
        }
        int length = 0;
        for (int i = 0; i < (first & 0x7f); i++) {
            length = (length << 8) | (der[at[0]++] & 0xff);
        }
        return length;
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }
}
