package io.websocketrelay.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.websocketrelay.config.RelaySettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IdRulesTest {

    @Test
    void idRulesCountBytesAfterDecodingAndMatchThePatternWhole() {
        RelaySettings settings = RelaySettings.of(Map.of(RelaySettings.MAX_ID_BYTES, "4"));
        assertNull(IdRules.check("abcd", settings));
        assertNull(IdRules.check("éé", settings));
        assertEquals("id longer than 4 bytes", IdRules.check("abcde", settings));
        assertEquals("id longer than 4 bytes", IdRules.check("ééa", settings));
        assertEquals("empty id", IdRules.check("", settings));
        RelaySettings pattern = RelaySettings.of(Map.of(RelaySettings.ID_PATTERN, "[a-z]{3}"));
        assertNull(IdRules.check("abc", pattern));
        assertEquals("id does not match the allowed pattern", IdRules.check("abcd", pattern));
        assertEquals("id does not match the allowed pattern", IdRules.check("ab1", pattern));
    }
}
