package io.websocketrelay.json;

/**
 * Quotes text as a JSON string (RFC 8259). Escaped: {@code "} and {@code \}, every control character (U+0000 to
 * U+001F, with the short forms {@code \b \f \n \r \t}, and U+007F), U+2028 and U+2029 (legal in JSON but line ends
 * in JavaScript source, so a quoted string can be pasted into a script), and a surrogate without its partner (which
 * UTF-8 cannot encode; escaped, it survives instead of becoming {@code ?}). Everything else, characters outside the
 * Basic Multilingual Plane included, is copied as it is.
 */
public final class Json {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Json() {
    }

    /** @return {@code text} as a JSON string, quotes included; {@code null} as {@code null} */
    public static String quote(CharSequence text) {
        if (text == null) {
            return "null";
        }
        return quote(new StringBuilder(text.length() + 2), text).toString();
    }

    /** Appends {@code text} as a JSON string, quotes included ({@code null} as {@code null}); returns {@code out}. */
    public static StringBuilder quote(StringBuilder out, CharSequence text) {
        if (text == null) {
            return out.append("null");
        }
        out.append('"');
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                        unicode(out, c);
                    } else if (Character.isHighSurrogate(c) && i + 1 < length
                            && Character.isLowSurrogate(text.charAt(i + 1))) {
                        out.append(c).append(text.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        unicode(out, c);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }

    private static void unicode(StringBuilder out, char c) {
        out.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf]).append(HEX[c >> 4 & 0xf])
                .append(HEX[c & 0xf]);
    }
}
