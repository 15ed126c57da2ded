package io.websocketrelay.launcher;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.PSSParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * TLS for {@code wss://}: loads a PEM certificate chain and PKCS#8 key (or a PKCS#12 file), checks that they belong
 * together, and allows only TLS 1.2 and 1.3 with forward-secret AEAD cipher suites.
 */
final class Tls {

    /** The protocols offered, newest first. */
    static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /** The cipher suites offered, strongest first; each is used only where the JDK supports it. */
    static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final String[] KEY_ALGORITHMS = {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"};

    /**
     * Where the key material is.
     *
     * @param certificate a PEM chain (leaf first) or a PKCS#12 file ({@code .p12}/{@code .pfx})
     * @param key         the PEM PKCS#8 key; {@code null} for a PKCS#12 file
     * @param password    the PKCS#12 password
     */
    record Files(Path certificate, Path key, char[] password) {

        boolean isPkcs12() {
            String name = certificate.getFileName().toString().toLowerCase(Locale.ROOT);
            return key == null || name.endsWith(".p12") || name.endsWith(".pfx");
        }
    }

    private Tls() {
    }

    /**
     * @return an {@link SSLContext} serving the given key and chain
     * @throws StartupException in one line when a file cannot be read, parsed, or the key does not match
     */
    static SSLContext context(Files files) throws StartupException {
        KeyStore store = files.isPkcs12() ? pkcs12(files) : pem(files);
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, files.password());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw failure("cannot use the TLS key: " + e.getMessage(), e);
        }
    }

    /** @return the cipher suites of {@link #CIPHER_SUITES} that {@code context} supports */
    static String[] cipherSuites(SSLContext context) {
        SSLParameters supported = context.getSupportedSSLParameters();
        List<String> available = List.of(supported.getCipherSuites());
        return CIPHER_SUITES.stream().filter(available::contains).toArray(String[]::new);
    }

    private static KeyStore pem(Files files) throws StartupException {
        List<Certificate> chain = certificates(files.certificate());
        PrivateKey key = privateKey(files.key());
        checkPair(key, (X509Certificate) chain.get(0), files);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("relay", key, files.password(), chain.toArray(Certificate[]::new));
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw failure("cannot use the TLS key: " + e.getMessage(), e);
        }
    }

    private static KeyStore pkcs12(Files files) throws StartupException {
        byte[] bytes = read(files.certificate(), "PKCS#12 file");
        try (InputStream in = new ByteArrayInputStream(bytes)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, files.password());
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    return store;
                }
            }
            throw failure(files.certificate() + " holds no private key", null);
        } catch (GeneralSecurityException | IOException e) {
            throw failure("cannot read the PKCS#12 file " + files.certificate() + ": " + e.getMessage()
                    + " (is RELAY_TLS_PASSWORD right?)", e);
        }
    }

    private static List<Certificate> certificates(Path path) throws StartupException {
        String text = new String(read(path, "certificate"), StandardCharsets.US_ASCII);
        List<Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (byte[] der : blocks(text, "CERTIFICATE")) {
                Collection<? extends Certificate> read = factory.generateCertificates(new ByteArrayInputStream(der));
                chain.addAll(read);
            }
        } catch (GeneralSecurityException e) {
            throw failure("cannot parse the certificate " + path + ": " + e.getMessage(), e);
        }
        if (chain.isEmpty()) {
            throw failure(path + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)", null);
        }
        return chain;
    }

    private static PrivateKey privateKey(Path path) throws StartupException {
        String text = new String(read(path, "private key"), StandardCharsets.US_ASCII);
        if (text.contains("BEGIN RSA PRIVATE KEY") || text.contains("BEGIN EC PRIVATE KEY")) {
            throw failure(path + " is not PKCS#8; convert it with: openssl pkcs8 -topk8 -nocrypt -in "
                    + path + " -out key.pkcs8.pem", null);
        }
        if (text.contains("BEGIN ENCRYPTED PRIVATE KEY")) {
            throw failure(path + " is encrypted; give an unencrypted PKCS#8 key or a PKCS#12 file", null);
        }
        List<byte[]> keys = blocks(text, "PRIVATE KEY");
        if (keys.size() != 1) {
            throw failure(path + " must hold one PEM private key (-----BEGIN PRIVATE KEY-----)", null);
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(keys.get(0));
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw failure("cannot parse the private key " + path + " (RSA, EC and EdDSA PKCS#8 keys are supported)", null);
    }

    /** Signs with the key and verifies with the certificate, so a mismatch is found before the first client. */
    private static void checkPair(PrivateKey key, X509Certificate leaf, Files files) throws StartupException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> key.getAlgorithm();
        };
        boolean matches;
        try {
            byte[] probe = "websocket-relay key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                signer.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
            }
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                verifier.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
            }
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw failure("the private key " + files.key() + " does not match the certificate " + files.certificate()
                    + " (the first certificate must be the server's own)", null);
        }
    }

    private static List<byte[]> blocks(String pem, String type) throws StartupException {
        List<byte[]> blocks = new ArrayList<>();
        Matcher matcher = PEM.matcher(pem);
        while (matcher.find()) {
            if (matcher.group(1).equals(type)) {
                try {
                    blocks.add(Base64.getMimeDecoder().decode(matcher.group(2)));
                } catch (IllegalArgumentException e) {
                    throw failure("a PEM block " + type + " is not valid base64", e);
                }
            }
        }
        return blocks;
    }

    private static byte[] read(Path path, String what) throws StartupException {
        try {
            return java.nio.file.Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw failure("the " + what + " file " + path + " does not exist", e);
        } catch (IOException e) {
            throw failure("cannot read the " + what + " file " + path + ": " + e.getMessage(), e);
        }
    }

    private static StartupException failure(String message, Throwable cause) {
        return new StartupException(message, StartupException.FAILURE, cause);
    }
}
