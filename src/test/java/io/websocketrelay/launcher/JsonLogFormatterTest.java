package io.websocketrelay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** One record, one line of JSON, whatever the message holds. */
class JsonLogFormatterTest {

    @Test
    void aRecordIsOneLineWithItsTextEscaped() {
        LogRecord record = new LogRecord(Level.WARNING, "refused \"{0}\"\n\tnext\u2028line");
        record.setParameters(new Object[] {"a\\b"});
        record.setLoggerName("io.websocketrelay.test");
        record.setMillis(0);
        record.setThrown(new IllegalStateException("boom"));
        String line = new JsonLogFormatter().format(record);
        assertTrue(line.endsWith("}\n"), line);
        assertEquals(line.length() - 1, line.indexOf('\n'), "one line: " + line);
        assertTrue(line.startsWith("{\"time\":\"1970-01-01T00:00:00Z\",\"level\":\"WARNING\","
                + "\"logger\":\"io.websocketrelay.test\",\"message\":\"refused \\\"a\\\\b\\\"\\n\\tnext\\u2028line\","
                + "\"error\":\"java.lang.IllegalStateException: boom\\n"), line);
    }
}
