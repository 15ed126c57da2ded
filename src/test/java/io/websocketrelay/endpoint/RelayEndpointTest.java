package io.websocketrelay.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.websocketrelay.config.RelaySettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RelayEndpointTest {

    @Test
    void idRulesCountBytesAfterDecodingAndMatchThePatternWhole() {
        RelaySettings settings = RelaySettings.of(Map.of(RelaySettings.MAX_ID_BYTES, "4"));
        assertNull(RelayEndpoint.idRule("abcd", settings));
        assertNull(RelayEndpoint.idRule("éé", settings));
        assertEquals("id longer than 4 bytes", RelayEndpoint.idRule("abcde", settings));
        assertEquals("id longer than 4 bytes", RelayEndpoint.idRule("ééa", settings));
        assertEquals("empty id", RelayEndpoint.idRule("", settings));
        RelaySettings pattern = RelaySettings.of(Map.of(RelaySettings.ID_PATTERN, "[a-z]{3}"));
        assertNull(RelayEndpoint.idRule("abc", pattern));
        assertEquals("id does not match the allowed pattern", RelayEndpoint.idRule("abcd", pattern));
        assertEquals("id does not match the allowed pattern", RelayEndpoint.idRule("ab1", pattern));
    }
}
