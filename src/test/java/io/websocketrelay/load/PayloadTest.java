package io.websocketrelay.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PayloadTest {

    @ParameterizedTest
    @ValueSource(ints = {16, 17, 64, 1000, 65536})
    void binaryRoundTrip(int size) {
        ByteBuffer data = Payload.binary(123_456_789_012L, 77, size);
        assertEquals(size, data.remaining());
        assertEquals(new Payload.Stamp(123_456_789_012L, 77), Payload.decode(data, size));
        assertEquals(size, data.remaining(), "decoding must not consume the buffer");
    }

    @ParameterizedTest
    @ValueSource(ints = {32, 33, 64, 1000, 65536})
    void textRoundTrip(int size) {
        String text = Payload.text(Long.MAX_VALUE, Integer.MAX_VALUE, size);
        assertEquals(size, text.length());
        assertFalse(text.startsWith("/"));
        assertEquals(new Payload.Stamp(Long.MAX_VALUE, Integer.MAX_VALUE), Payload.decode(text, size));
    }

    @Test
    void negativeSequenceAndTagSurviveText() {
        assertEquals(new Payload.Stamp(-1, -2), Payload.decode(Payload.text(-1, -2, 40), 40));
    }

    @Test
    void everyFlippedBinaryByteIsCaught() {
        ByteBuffer data = Payload.binary(5, 9, 40);
        for (int i = 0; i < 40; i++) {
            ByteBuffer copy = ByteBuffer.allocate(40).put(data.duplicate()).flip();
            copy.put(i, (byte) (copy.get(i) ^ 0x10));
            assertNull(Payload.decode(copy, 40), "flip at " + i);
        }
    }

    @Test
    void everyChangedTextCharacterIsCaught() {
        String text = Payload.text(5, 9, 48);
        for (int i = 0; i < text.length(); i++) {
            char changed = text.charAt(i) == 'a' ? 'b' : 'a';
            String bad = text.substring(0, i) + changed + text.substring(i + 1);
            assertNull(Payload.decode(bad, 48), "change at " + i);
        }
    }

    @Test
    void wrongSizeIsCorrupt() {
        assertNull(Payload.decode(Payload.text(1, 2, 64), 65));
        assertNull(Payload.decode(Payload.binary(1, 2, 64), 63));
        assertNull(Payload.decode("/status:connected", 17));
    }

    @Test
    void tooSmallIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Payload.binary(0, 0, 15));
        assertThrows(IllegalArgumentException.class, () -> Payload.text(0, 0, 31));
    }

    @Test
    void payloadsDifferBySequence() {
        assertFalse(Payload.text(1, 0, 64).equals(Payload.text(2, 0, 64)));
    }

    @ParameterizedTest
    @ValueSource(ints = {24, 25, 64, 65536})
    void timedBinaryRoundTrip(int size) {
        ByteBuffer data = Payload.timedBinary(42, 7, -123_456_789_000L, size);
        assertEquals(size, data.remaining());
        assertEquals(new Payload.Stamp(42, 7, -123_456_789_000L), Payload.decodeTimed(data, size));
        assertEquals(size, data.remaining(), "decoding must not consume the buffer");
    }

    @ParameterizedTest
    @ValueSource(ints = {48, 49, 64, 65536})
    void timedTextRoundTrip(int size) {
        for (long sentAt : new long[] {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, System.nanoTime()}) {
            String text = Payload.timedText(9, 3, sentAt, size);
            assertEquals(size, text.length());
            assertFalse(text.startsWith("/"));
            assertEquals(new Payload.Stamp(9, 3, sentAt), Payload.decodeTimed(text, size));
        }
    }

    @Test
    void theSendTimeIsUnderTheChecksum() {
        ByteBuffer data = Payload.timedBinary(5, 9, 1_000_000L, 40);
        for (int i = 0; i < 40; i++) {
            ByteBuffer copy = ByteBuffer.allocate(40).put(data.duplicate()).flip();
            copy.put(i, (byte) (copy.get(i) ^ 0x01));
            assertNull(Payload.decodeTimed(copy, 40), "flip at " + i);
        }
        String text = Payload.timedText(5, 9, 1_000_000L, 56);
        for (int i = 0; i < text.length(); i++) {
            char changed = text.charAt(i) == 'a' ? 'b' : 'a';
            assertNull(Payload.decodeTimed(text.substring(0, i) + changed + text.substring(i + 1), 56), "change at " + i);
        }
    }

    @Test
    void anUntimedTextIsNotATimedOne() {
        assertNull(Payload.decodeTimed(Payload.text(1, 2, 64), 64), "filler letters are no send time");
        assertEquals(new Payload.Stamp(1, 2, 0), Payload.decode(Payload.text(1, 2, 64), 64));
    }

    @Test
    void tooSmallTimedIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Payload.timedBinary(0, 0, 0, 23));
        assertThrows(IllegalArgumentException.class, () -> Payload.timedText(0, 0, 0, 47));
        assertNull(Payload.decodeTimed(Payload.binary(0, 0, 16), 16));
        assertEquals(24, Payload.minimum(true, true));
        assertEquals(48, Payload.minimum(false, true));
        assertEquals(16, Payload.minimum(true));
    }
}
