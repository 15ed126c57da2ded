package io.websocketrelay.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.websocketrelay.config.Key;
import io.websocketrelay.config.RelaySettings;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AdmissionTest {

    private final AtomicLong nanos = new AtomicLong();
    private final AtomicLong millis = new AtomicLong(1_800_000_000_000L);

    private Admission admission(Map<Key, String> settings) {
        return new Admission(RelaySettings.of(settings), nanos::get, millis::get);
    }

    private static int status(Admission.Refusal refusal) {
        return refusal == null ? 101 : refusal.status();
    }

    @Test
    void onlyOneNonEmptySegmentIsAnId() {
        Admission admission = admission(Map.of());
        assertEquals(101, status(admission.check("/abc", null, null, null, "a", false)));
        assertEquals(101, status(admission.check("/%20", null, null, null, "a", false)));
        for (String path : new String[] {"", "/", "/a/", "/a/b", "//", "abc"}) {
            assertEquals(404, status(admission.check(path, null, null, null, "a", false)), path);
        }
    }

    @Test
    void onlyAGetMayUpgrade() {
        assertNull(Admission.method("GET"));
        for (String method : new String[] {"POST", "PUT", "HEAD", "get", "CONNECT", ""}) {
            assertEquals(405, status(Admission.method(method)), method);
        }
        assertEquals("method", Admission.method("POST").label());
    }

    @Test
    void originMustBeListedWhenAListIsSet() {
        Admission open = admission(Map.of());
        assertNull(open.check("/x", null, "https://evil.example", null, "a", false));
        Admission listed = admission(Map.of(RelaySettings.ALLOWED_ORIGINS, "https://app.example, http://localhost:8080"));
        assertNull(listed.check("/x", null, "https://app.example", null, "a", false));
        assertNull(listed.check("/x", null, "http://localhost:8080", null, "a", false));
        assertEquals(403, status(listed.check("/x", null, "https://evil.example", null, "a", false)));
        assertEquals(403, status(listed.check("/x", null, null, null, "a", false)));
        assertEquals("origin", listed.check("/x", null, null, null, "a", false).label());
    }

    @Test
    void sharedSecretByQueryOrSubprotocol() {
        Admission admission = admission(Map.of(RelaySettings.TOKEN, "s3cret"));
        assertEquals(401, status(admission.check("/x", null, null, null, "a", false)));
        assertEquals(401, status(admission.check("/x", "other=1", null, "chat", "a", false)));
        assertEquals(403, status(admission.check("/x", "token=wrong", null, null, "a", false)));
        assertNull(admission.check("/x", "a=1&token=s3cret", null, null, "a", false));
        assertNull(admission.check("/x", null, null, "chat, token.s3cret", "a", false));
        assertEquals(403, status(admission.check("/x", null, null, "token.s3cre", "a", false)));
    }

    @Test
    void theOldSignedTokenKeyStopsTheStartWithAPointerToJwts() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RelaySettings.read(name -> name.equals("RELAY_TOKEN_HMAC_KEY") ? "k3y" : null, name -> null));
        assertTrue(e.getMessage().contains("RELAY_JWT_HMAC_KEY"), e.getMessage());
    }

    @Test
    void forwardedAddressesAreTakenFromTrustedProxiesOnly() {
        Admission admission = admission(Map.of(RelaySettings.TRUSTED_PROXIES, "10.0.0.0/8"));
        assertEquals("192.0.2.7", admission.clientAddress("10.1.2.3", List.of("192.0.2.7"), List.of()));
        assertEquals("203.0.113.5", admission.clientAddress("203.0.113.5", List.of("192.0.2.7"), List.of()));
        assertEquals("10.1.2.3", admission(Map.of()).clientAddress("10.1.2.3", List.of("192.0.2.7"), List.of()));
    }

    @Test
    void newConnectionsPerAddressAreRateLimited() {
        Admission admission = admission(Map.of(RelaySettings.CONNECTIONS_PER_SECOND_PER_ADDRESS, "3"));
        for (int i = 0; i < 3; i++) {
            assertNull(admission.check("/x", null, null, null, "10.0.0.1", false), "arrival " + i);
        }
        Admission.Refusal refused = admission.check("/x", null, null, null, "10.0.0.1", false);
        assertEquals(429, status(refused));
        assertNull(admission.check("/x", null, null, null, "10.0.0.2", false), "another address");
        nanos.addAndGet(340_000_000L); // a third of a second refills one
        assertNull(admission.check("/x", null, null, null, "10.0.0.1", false));
        assertEquals(429, status(admission.check("/x", null, null, null, "10.0.0.1", false)));
    }

    @Test
    void idleRateBucketsAreForgotten() {
        Admission admission = admission(Map.of(RelaySettings.CONNECTIONS_PER_SECOND_PER_ADDRESS, "5"));
        for (int i = 0; i < 2000; i++) {
            admission.check("/x", null, null, null, "10.0." + (i / 250) + "." + (i % 250), false);
        }
        nanos.addAndGet(2_000_000_000L);
        for (int i = 0; i < 1024; i++) {
            admission.check("/x", null, null, null, "10.9.9.9", false);
        }
        assertEquals(1, admission.trackedAddresses());
    }

    @Test
    void openConnectionsPerAddressAreCountedUntilReleased() {
        Admission admission = admission(Map.of(RelaySettings.MAX_CONNECTIONS_PER_ADDRESS, "2"));
        assertNull(admission.check("/x", null, null, null, "a", true));
        assertNull(admission.check("/x", null, null, null, "a", true));
        assertEquals(503, status(admission.check("/x", null, null, null, "a", true)));
        assertNull(admission.check("/x", null, null, null, "b", true));
        assertNull(admission.check("/x", null, null, null, "a", false), "not counted: no limit applies");
        admission.release("a");
        assertNull(admission.check("/x", null, null, null, "a", true));
        admission.release("a");
        admission.release("a");
        admission.release("b");
        assertEquals(0, admission.trackedAddresses());
    }
}
