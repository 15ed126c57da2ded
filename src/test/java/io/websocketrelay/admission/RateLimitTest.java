package io.websocketrelay.admission;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RateLimitTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void offWhenBothRatesAreZero() {
        assertNull(RateLimit.of(0, 0, 0));
    }

    @Test
    void messagesPerSecondAllowOneSecondOfBurstThenRefill() {
        RateLimit limit = RateLimit.of(10, 0, 0);
        for (int i = 0; i < 10; i++) {
            assertNull(limit.take(100, 0), "message " + i);
        }
        String broken = limit.take(1, 0);
        assertNotNull(broken);
        assertTrue(broken.contains("10 messages per second"), broken);
        assertNull(limit.take(1, SECOND / 10 + 1));
        assertNotNull(limit.take(1, SECOND / 10 + 2));
    }

    @Test
    void bytesPerSecondCountSizes() {
        RateLimit limit = RateLimit.of(0, 1000, 0);
        assertNull(limit.take(600, 0));
        assertNull(limit.take(400, 0));
        assertNotNull(limit.take(1, 0));
        assertNull(limit.take(500, SECOND / 2));
        assertNull(limit.take(1000, 10 * SECOND));
        assertNotNull(limit.take(1, 10 * SECOND), "more than one second of burst is never saved");
    }
}
