package io.websocketrelay.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** How a connection's end is classified: a client's mistake, the relay's own failure, one log line. */
class EndingsTest {

    @Test
    void containersReportOfAMessageOverTheLimitIsTooBig() {
        assertTrue(Endings.isMessageTooBig(new IOException("UT002040: Message exceeded max message size of 40000")));
        assertFalse(Endings.isMessageTooBig(new IOException("Connection reset by peer")));
    }

    @Test
    void onlyWhatTheRelaysCodeThrewIsTheRelaysFailure() {
        IllegalStateException ours = new IllegalStateException("bug");
        assertTrue(Endings.isRelayFailure(ours), "thrown here, in io.websocketrelay");
        IOException theirs = containers(new IOException("UT002001: Invalid frame"));
        assertFalse(Endings.isRelayFailure(theirs));
        RuntimeException wrapping = containers(new RuntimeException("wrapped", ours));
        assertTrue(Endings.isRelayFailure(wrapping), "a cause of ours counts");
    }

    @Test
    void aFailureIsDescribedOnOneLine() {
        IOException cause = new IOException("bad\nframe");
        assertEquals("RuntimeException: outer <- IOException: bad frame",
                Endings.oneLine(new RuntimeException("outer", cause)));
    }

    private static <T extends Throwable> T containers(T failure) {
        failure.setStackTrace(new StackTraceElement[] {
            new StackTraceElement("io.undertow.websockets.core.WebSocketChannel", "read", "WebSocketChannel.java", 1)});
        return failure;
    }
}
