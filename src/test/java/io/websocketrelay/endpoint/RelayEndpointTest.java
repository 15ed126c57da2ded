package io.websocketrelay.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.websocketrelay.config.RelaySettings;
import java.io.IOException;
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

    @Test
    void containersReportOfAMessageOverTheLimitIsTooBig() {
        assertTrue(RelayEndpoint.isMessageTooBig(new IOException("UT002040: Message exceeded max message size of 40000")));
        assertFalse(RelayEndpoint.isMessageTooBig(new IOException("Connection reset by peer")));
    }

    @Test
    void onlyWhatTheRelaysCodeThrewIsTheRelaysFailure() {
        IllegalStateException ours = new IllegalStateException("bug");
        assertTrue(RelayEndpoint.isRelayFailure(ours), "thrown here, in io.websocketrelay");
        IOException theirs = containers(new IOException("UT002001: Invalid frame"));
        assertFalse(RelayEndpoint.isRelayFailure(theirs));
        RuntimeException wrapping = containers(new RuntimeException("wrapped", ours));
        assertTrue(RelayEndpoint.isRelayFailure(wrapping), "a cause of ours counts");
    }

    @Test
    void aFailureIsDescribedOnOneLine() {
        IOException cause = new IOException("bad\nframe");
        assertEquals("RuntimeException: outer <- IOException: bad frame",
                RelayEndpoint.oneLine(new RuntimeException("outer", cause)));
    }

    private static <T extends Throwable> T containers(T failure) {
        failure.setStackTrace(new StackTraceElement[] {
            new StackTraceElement("io.undertow.websockets.core.WebSocketChannel", "read", "WebSocketChannel.java", 1)});
        return failure;
    }
}
