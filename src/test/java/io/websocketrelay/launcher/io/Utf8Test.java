package io.websocketrelay.launcher.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8Test {

    /** The JDK's strict decoder, the reference: it reports what it cannot decode. */
    private static boolean jdkAccepts(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static boolean valid(String hex) {
        byte[] bytes = HexFormat.of().parseHex(hex);
        return Utf8.isValid(bytes, 0, bytes.length);
    }

    @Test
    void wellFormedSequencesAtTheirBounds() {
        for (String hex : new String[] {"", "00", "7f", "c280", "dfbf", "e0a080", "efbfbf", "ed9fbf", "ee8080",
            "f0908080", "f48fbfbf", "f3bfbfbf", "48656c6c6f2c20776f726c6421", "e282ac41424344454647"}) {
            assertTrue(valid(hex), hex);
        }
    }

    @Test
    void malformedSequences() {
        for (String hex : new String[] {"80", "bf", "c0af", "c1bf", "c2", "c241", "e080af", "e09fbf", "eda080",
            "edbfbf", "e282", "e28241", "f08f8080", "f4908080", "f5808080", "ff", "fe", "f0908041", "f09080",
            "414243444546474880", "4142434445464748c2"}) {
            assertFalse(valid(hex), hex);
        }
    }

    @Test
    void agreesWithTheJdkOnRandomBytesAndOnRandomText() {
        Random random = new Random(2026);
        for (int round = 0; round < 20_000; round++) {
            byte[] bytes;
            if (round % 2 == 0) {
                bytes = new byte[random.nextInt(24)];
                random.nextBytes(bytes);
                if (round % 4 == 0) { // mostly ASCII with a few high bytes, to reach the eight-byte steps
                    for (int i = 0; i < bytes.length; i++) {
                        bytes[i] = random.nextInt(8) == 0 ? bytes[i] : (byte) (bytes[i] & 0x7f);
                    }
                }
            } else {
                StringBuilder text = new StringBuilder();
                for (int i = random.nextInt(12); i > 0; i--) {
                    int c = random.nextBoolean() ? random.nextInt(0x80) : 0x80 + random.nextInt(0x110000 - 0x80);
                    text.appendCodePoint(c >= 0xd800 && c <= 0xdfff ? c - 0x800 : c); // no surrogates
                }
                bytes = text.toString().getBytes(StandardCharsets.UTF_8);
                if (bytes.length > 0 && random.nextInt(3) == 0) {
                    bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length)); // cut, maybe inside a sequence
                }
            }
            assertEquals(jdkAccepts(bytes), Utf8.isValid(bytes, 0, bytes.length), HexFormat.of().formatHex(bytes));
        }
    }

    @Test
    void checksOnlyTheGivenRange() {
        byte[] bytes = {(byte) 0xff, 'a', 'b', (byte) 0xc3, (byte) 0xa9, (byte) 0xff};
        assertTrue(Utf8.isValid(bytes, 1, 5));
        assertFalse(Utf8.isValid(bytes, 1, 4)); // ends inside é
        assertFalse(Utf8.isValid(bytes, 0, 3));
    }
}
