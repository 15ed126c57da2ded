package io.websocketrelay.admission;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The public keys of RS256 and ES256 JWTs ({@code RELAY_JWT_PUBLIC_KEY}): a file, or the same text inline, of
 *
 * <ul>
 *   <li>PEM: one or more {@code BEGIN PUBLIC KEY} (X.509 SubjectPublicKeyInfo, RSA or EC P-256) or
 *       {@code BEGIN CERTIFICATE} blocks; or</li>
 *   <li>JSON: a JWK Set ({@code {"keys": [...]}}, RFC 7517) or one JWK. Keys with {@code "use": "enc"}, with an
 *       {@code alg} other than RS256/ES256, or of other types or curves are left out; their {@code kid}s are kept.</li>
 * </ul>
 *
 * <p>The keys are read once, at start; to change them, restart. Immutable.
 */
final class PublicKeys {

    /** One key's verifier, for one algorithm, and its {@code kid} or {@code null}. */
    record Verifier(String kid, JWSVerifier verifier, JWSAlgorithm algorithm) {
        Verifier(String kid, JWSVerifier verifier) {
            this(kid, verifier, JWSAlgorithm.HS256);
        }
    }

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");

    private final List<Verifier> verifiers;

    private PublicKeys(List<Verifier> verifiers) {
        this.verifiers = List.copyOf(verifiers);
    }

    List<Verifier> verifiers() {
        return verifiers;
    }

    /**
     * @param value a path, or PEM or JSON text
     * @return the keys it holds
     * @throws IllegalArgumentException, naming {@code RELAY_JWT_PUBLIC_KEY}, when it cannot be read or holds no
     *                                  usable key
     */
    static PublicKeys load(String value) {
        String text = value.strip();
        String source = "inline value";
        if (!text.startsWith("-----BEGIN") && !text.startsWith("{")) {
            source = text;
            try {
                text = Files.readString(Path.of(value.strip()), StandardCharsets.UTF_8).strip();
            } catch (IOException | InvalidPathException e) {
                throw fail("cannot read " + source + " (" + e.getClass().getSimpleName() + ")");
            }
        }
        List<Verifier> verifiers = text.startsWith("{") ? fromJson(text, source) : fromPem(text, source);
        if (verifiers.isEmpty()) {
            throw fail("no RS256 or ES256 public key in " + source);
        }
        return new PublicKeys(verifiers);
    }

    private static List<Verifier> fromJson(String text, String source) {
        List<JWK> keys;
        try {
            keys = text.contains("\"keys\"") ? JWKSet.parse(text).getKeys() : List.of(JWK.parse(text));
        } catch (ParseException e) {
            throw fail(source + " is not a JWK Set or JWK: " + JwtVerifier.oneLine(e.getMessage()));
        }
        List<Verifier> verifiers = new ArrayList<>();
        for (JWK key : keys) {
            if (KeyUse.ENCRYPTION.equals(key.getKeyUse())) {
                continue;
            }
            try {
                if (key instanceof RSAKey rsa && accepts(key, JWSAlgorithm.RS256)) {
                    verifiers.add(new Verifier(key.getKeyID(), new RSASSAVerifier(rsa.toRSAPublicKey()),
                            JWSAlgorithm.RS256));
                } else if (key instanceof ECKey ec && Curve.P_256.equals(ec.getCurve())
                        && accepts(key, JWSAlgorithm.ES256)) {
                    verifiers.add(new Verifier(key.getKeyID(), new ECDSAVerifier(ec.toECPublicKey()), JWSAlgorithm.ES256));
                }
            } catch (JOSEException e) {
                throw fail("key " + key.getKeyID() + " in " + source + ": " + JwtVerifier.oneLine(e.getMessage()));
            }
        }
        return verifiers;
    }

    private static boolean accepts(JWK key, JWSAlgorithm algorithm) {
        return key.getAlgorithm() == null || algorithm.getName().equals(key.getAlgorithm().getName());
    }

    private static List<Verifier> fromPem(String text, String source) {
        List<Verifier> verifiers = new ArrayList<>();
        Matcher block = PEM.matcher(text);
        while (block.find()) {
            String type = block.group(1);
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(block.group(2));
            } catch (IllegalArgumentException e) {
                throw fail("a " + type + " block in " + source + " is not base64");
            }
            PublicKey key = switch (type) {
                case "PUBLIC KEY" -> publicKey(der, source);
                case "CERTIFICATE" -> certificateKey(der, source);
                case "RSA PUBLIC KEY" -> throw fail(source + " has a PKCS#1 key (BEGIN RSA PUBLIC KEY); convert it with"
                        + " 'openssl rsa -RSAPublicKey_in -pubout'");
                default -> throw fail(source + " has a " + type + " block; give public keys or certificates only");
            };
            try {
                if (key instanceof RSAPublicKey rsa) {
                    verifiers.add(new Verifier(null, new RSASSAVerifier(rsa), JWSAlgorithm.RS256));
                } else if (key instanceof ECPublicKey ec && Curve.P_256.equals(Curve.forECParameterSpec(ec.getParams()))) {
                    verifiers.add(new Verifier(null, new ECDSAVerifier(ec), JWSAlgorithm.ES256));
                } else {
                    throw fail("a key in " + source + " is neither RSA nor EC P-256 (" + key.getAlgorithm() + ")");
                }
            } catch (JOSEException e) {
                throw fail("a key in " + source + ": " + JwtVerifier.oneLine(e.getMessage()));
            }
        }
        return verifiers;
    }

    private static PublicKey publicKey(byte[] der, String source) {
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next
            }
        }
        throw fail("a PUBLIC KEY in " + source + " is neither an RSA nor an EC key");
    }

    private static PublicKey certificateKey(byte[] der, String source) {
        try {
            return CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der))
                    .getPublicKey();
        } catch (GeneralSecurityException e) {
            throw fail("a CERTIFICATE in " + source + " cannot be read: " + JwtVerifier.oneLine(e.getMessage()));
        }
    }

    private static IllegalArgumentException fail(String message) {
        return new IllegalArgumentException("RELAY_JWT_PUBLIC_KEY: " + message);
    }
}
