package io.websocketrelay.launcher;

import io.websocketrelay.json.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One JSON object per log record and line: {@code time}, {@code level}, {@code logger}, {@code message} and, when
 * there is one, {@code error} with the stack trace. Chosen with {@code --log-format json}.
 */
public final class JsonLogFormatter extends Formatter {

    @Override
    public String format(LogRecord record) {
        StringBuilder line = new StringBuilder(160);
        line.append("{\"time\":\"").append(Instant.ofEpochMilli(record.getMillis())).append('"');
        field(line, "level", record.getLevel().getName());
        field(line, "logger", record.getLoggerName());
        field(line, "message", formatMessage(record));
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            field(line, "error", trace.toString());
        }
        return line.append("}\n").toString();
    }

    private static void field(StringBuilder line, String name, String value) {
        Json.quote(line.append(','), name).append(':');
        Json.quote(line, value == null ? "" : value);
    }
}
