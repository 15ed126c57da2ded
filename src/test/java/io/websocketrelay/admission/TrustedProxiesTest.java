package io.websocketrelay.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.websocketrelay.config.RelaySettings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {

    private static final TrustedProxies PROXIES = TrustedProxies.parse("127.0.0.1, 10.0.0.0/8, fd00::/8, 2001:db8::1");

    private static String client(String peer, List<String> xForwardedFor, List<String> forwarded) {
        return PROXIES.clientAddress(peer, xForwardedFor, forwarded);
    }

    @Test
    void cidrBlocksAndSingleAddresses() {
        assertTrue(PROXIES.trusts("127.0.0.1"));
        assertFalse(PROXIES.trusts("127.0.0.2"));
        assertTrue(PROXIES.trusts("10.255.0.1"));
        assertFalse(PROXIES.trusts("11.0.0.1"));
        assertTrue(PROXIES.trusts("fd12:3456::1"));
        assertTrue(PROXIES.trusts("2001:db8:0:0:0:0:0:1"));
        assertFalse(PROXIES.trusts("2001:db8::2"));
        assertTrue(PROXIES.trusts("::ffff:10.0.0.1"), "an IPv4-mapped address is its IPv4 address");
        assertFalse(PROXIES.trusts("localhost"), "names are not looked up");
        TrustedProxies odd = TrustedProxies.parse("192.168.1.128/25");
        assertTrue(odd.trusts("192.168.1.200"));
        assertFalse(odd.trusts("192.168.1.127"));
        assertTrue(TrustedProxies.parse("0.0.0.0/0").trusts("8.8.8.8"));
        assertTrue(TrustedProxies.parse(" ").isEmpty());
        for (String bad : new String[] {"10.0.0.0/33", "300.1.1.1", "proxy.example", "10.0.0.0/x", "::1/129"}) {
            assertThrows(IllegalArgumentException.class, () -> TrustedProxies.parse(bad), bad);
        }
        IllegalArgumentException named = assertThrows(IllegalArgumentException.class,
                () -> RelaySettings.of(Map.of(RelaySettings.TRUSTED_PROXIES, "10.0.0.0/33")));
        assertTrue(named.getMessage().startsWith("RELAY_TRUSTED_PROXIES: "), named.getMessage());
    }

    @Test
    void headersFromAnUntrustedPeerAreIgnored() {
        assertEquals("192.0.2.9", client("192.0.2.9", List.of("1.2.3.4"), List.of("for=1.2.3.4")));
        assertEquals("127.0.0.1", TrustedProxies.NONE.clientAddress("127.0.0.1", List.of("1.2.3.4"), List.of()));
    }

    @Test
    void theRightMostUntrustedHopOfXForwardedForIsTheClient() {
        assertEquals("192.0.2.1", client("127.0.0.1", List.of("192.0.2.1"), List.of()));
        // a forged entry on the left is what the client wrote; the proxies' own entries are on the right
        assertEquals("192.0.2.1", client("127.0.0.1", List.of("6.6.6.6, 192.0.2.1, 10.0.0.5"), List.of()));
        assertEquals("192.0.2.1", client("127.0.0.1", List.of("6.6.6.6", "192.0.2.1, 10.0.0.5"), List.of()),
                "several header lines are one list");
        assertEquals("10.0.0.4", client("127.0.0.1", List.of("10.0.0.4, 10.0.0.5"), List.of()), "all trusted");
        assertEquals("127.0.0.1", client("127.0.0.1", List.of(), List.of()), "no header");
        assertEquals("10.0.0.5", client("127.0.0.1", List.of("192.0.2.1, unknown, 10.0.0.5"), List.of()),
                "garbage ends the walk at the proxy that wrote it");
        assertEquals("127.0.0.1", client("127.0.0.1", List.of("garbage"), List.of()));
        assertEquals("192.0.2.1", client("127.0.0.1", List.of("192.0.2.1:5555"), List.of()), "a port is dropped");
        assertEquals("2001:db8:0:0:0:0:0:2", client("127.0.0.1", List.of("2001:db8::2"), List.of()));
        assertEquals("2001:db8:0:0:0:0:0:2", client("127.0.0.1", List.of("[2001:db8::2]:443"), List.of()));
        assertEquals("0:0:0:0:0:0:0:1", client("0:0:0:0:0:0:0:1", List.of("192.0.2.1"), List.of()),
                "::1 is not in the list");
        assertEquals("192.0.2.1", TrustedProxies.parse("::1").clientAddress("0:0:0:0:0:0:0:1", List.of("192.0.2.1"),
                List.of()), "::1 in the list, the peer in its long form");
    }

    @Test
    void forwardedIsReadWhenThereIsNoXForwardedFor() {
        assertEquals("192.0.2.60", client("127.0.0.1", List.of(), List.of("for=192.0.2.60;proto=http;by=203.0.113.43")));
        assertEquals("2001:db8:cafe:0:0:0:0:17", client("127.0.0.1", List.of(),
                List.of("for=\"[2001:db8:cafe::17]:4711\"")));
        assertEquals("192.0.2.43", client("127.0.0.1", List.of(), List.of("for=6.6.6.6, For=\"192.0.2.43:47011\"",
                "for=10.0.0.7;proto=https")));
        assertEquals("10.0.0.7", client("127.0.0.1", List.of(), List.of("for=192.0.2.43, for=unknown, for=10.0.0.7")));
        assertEquals("10.0.0.7", client("127.0.0.1", List.of(), List.of("for=192.0.2.43, for=_hidden, for=10.0.0.7")));
        assertEquals("127.0.0.1", client("127.0.0.1", List.of(), List.of("proto=https")), "no for=");
        assertEquals("192.0.2.1", client("127.0.0.1", List.of("192.0.2.1"), List.of("for=192.0.2.2")),
                "X-Forwarded-For first");
        assertEquals(List.of("a", "", "b;c"), TrustedProxies.forwardedFor("for=a, by=x, for=\"b;c\""));
    }
}
