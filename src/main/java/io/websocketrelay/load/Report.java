package io.websocketrelay.load;

import io.websocketrelay.json.Json;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The figures of one run, in order, printed as one JSON line or one summary line. */
final class Report {

    private final Map<String, Object> figures = new LinkedHashMap<>();
    private final String headline;

    /** @param headline what the summary line starts with, e.g. {@code pingpong 50 pairs, 64 B text} */
    Report(String headline) {
        this.headline = headline;
    }

    /** Adds or replaces a figure; values are numbers, booleans or strings. */
    Report put(String key, Object value) {
        figures.put(key, value);
        return this;
    }

    Map<String, Object> figures() {
        return figures;
    }

    /** @return a figure as a number, or 0 if absent */
    double number(String key) {
        return figures.get(key) instanceof Number n ? n.doubleValue() : 0;
    }

    /** @return whether the run saw no error */
    boolean ok() {
        return Boolean.TRUE.equals(figures.get("ok"));
    }

    /** @return one JSON object on one line */
    String json() {
        StringBuilder out = new StringBuilder("{");
        for (Map.Entry<String, Object> e : figures.entrySet()) {
            if (out.length() > 1) {
                out.append(',');
            }
            Json.quote(out, e.getKey()).append(':');
            Object v = e.getValue();
            if (v instanceof Double d) {
                out.append(Double.isFinite(d) ? String.format(Locale.ROOT, "%.3f", d) : "null");
            } else if (v instanceof Number || v instanceof Boolean) {
                out.append(v);
            } else {
                Json.quote(out, String.valueOf(v));
            }
        }
        return out.append('}').toString();
    }

    /** @return the headline, then every figure but the fixed ones, in one line */
    String summary() {
        StringBuilder out = new StringBuilder(headline).append(':');
        for (Map.Entry<String, Object> e : figures.entrySet()) {
            String key = e.getKey();
            if (key.equals("scenario") || key.startsWith("err_") && ((Number) e.getValue()).longValue() == 0) {
                continue;
            }
            Object v = e.getValue();
            out.append(' ').append(key).append('=');
            out.append(v instanceof Double d ? String.format(Locale.ROOT, "%.1f", d) : String.valueOf(v));
        }
        return out.toString();
    }
}
