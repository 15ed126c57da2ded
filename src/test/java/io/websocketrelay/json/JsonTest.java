package io.websocketrelay.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.websocketrelay.testing.JsonReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@link Json#quote} escapes and what it copies. */
class JsonTest {

    @Test
    void plainTextIsOnlyQuoted() {
        assertEquals("\"hello, world / 42\"", Json.quote("hello, world / 42"));
        assertEquals("\"\"", Json.quote(""));
        assertEquals("null", Json.quote(null));
    }

    @Test
    void quotesAndBackslashes() {
        assertEquals("\"say \\\"hi\\\"\"", Json.quote("say \"hi\""));
        assertEquals("\"C:\\\\dir\\\\\"", Json.quote("C:\\dir\\"));
        assertEquals("\"\\\\\\\"\"", Json.quote("\\\""));
    }

    @Test
    void everyControlCharacterIsEscaped() {
        assertEquals("\"\\b\\f\\n\\r\\t\"", Json.quote("\b\f\n\r\t"));
        assertEquals("\"\\u0000\\u0001\\u001f\\u007f\"", Json.quote("\u0000\u0001\u001f\u007f"));
        for (char c = 0; c < 0x20; c++) {
            String quoted = Json.quote(String.valueOf(c));
            assertEquals('\\', quoted.charAt(1), "U+" + Integer.toHexString(c));
            for (int i = 0; i < quoted.length(); i++) {
                assertEquals(true, quoted.charAt(i) >= 0x20, "a raw control character in " + quoted);
            }
        }
        assertEquals("\" \"", Json.quote(" "));
    }

    @Test
    void lineAndParagraphSeparatorsAreEscaped() {
        assertEquals("\"a\\u2028b\\u2029c\"", Json.quote("a\u2028b\u2029c"));
    }

    @Test
    void charactersOutsideTheBasicPlaneAreCopied() {
        String text = "relay \uD83D\uDE80 \uD834\uDD1E é ü 漢";
        assertEquals('"' + text + '"', Json.quote(text));
        byte[] utf8 = Json.quote(text).getBytes(StandardCharsets.UTF_8);
        assertEquals('"' + text + '"', new String(utf8, StandardCharsets.UTF_8));
    }

    @Test
    void aSurrogateWithoutItsPartnerIsEscaped() {
        assertEquals("\"a\\ud83db\"", Json.quote("a\uD83Db"));
        assertEquals("\"\\ude80\"", Json.quote("\uDE80"));
        assertEquals("\"x\\ud83d\"", Json.quote("x\uD83D"));
        assertEquals("\"\\ude80\\ud83d\"", Json.quote("\uDE80\uD83D"));
    }

    @Test
    void whatIsQuotedReadsBackTheSame() {
        StringBuilder text = new StringBuilder();
        for (char c = 0; c < 0x3000; c++) {
            text.append(c);
        }
        text.append("\uD83D\uDE80\uFFFF\uD800x\uDFFF");
        String quoted = Json.quote(text);
        assertEquals(text.toString(), JsonReader.parse(quoted));
        assertEquals(List.of("a\u2028", "\"\\"), JsonReader.parse("[" + Json.quote("a\u2028") + ","
                + Json.quote("\"\\") + "]"));
    }

    @Test
    void appendsToABuilder() {
        StringBuilder out = new StringBuilder("{\"k\":");
        assertEquals("{\"k\":\"v\\n\"}", Json.quote(out, "v\n").append('}').toString());
    }
}
