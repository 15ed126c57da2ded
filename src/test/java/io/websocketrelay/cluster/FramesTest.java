package io.websocketrelay.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.websocketrelay.core.Outbound;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The batch of an inbox entry: frames in, the same frames out, in order, byte for byte. */
class FramesTest {

    @Test
    void framesOfEveryKindComeBackInOrderAndByteForByte() {
        byte[] binary = new byte[70_000];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        byte[] text = "héllo ✓ 😀".getBytes(UTF_8);
        List<Map<String, byte[]>> maps = List.of(Entries.pair("n1.1", 42), Entries.slow("n1.1"),
                Entries.left("room", "member-1"), Entries.room("room", Outbound.text("to all")), Entries.ack(123_456_789L));
        byte[] batch = Frames.batch(List.of(
                Frames.encode(maps.get(0)),
                Frames.data(Entries.TEXT, "n1.1".getBytes(UTF_8), 1, text),
                Frames.data(Entries.BINARY, "n1.1".getBytes(UTF_8), 2, binary),
                Frames.data(Entries.TEXT, "n1.1".getBytes(UTF_8), Long.MAX_VALUE, new byte[0]),
                Frames.encode(maps.get(1)), Frames.encode(maps.get(2)), Frames.encode(maps.get(3)),
                Frames.encode(maps.get(4))));
        List<Frames.Frame> frames = Frames.read(batch);
        assertEquals(8, frames.size());
        assertFields(maps.get(0), frames.get(0));
        assertData(frames.get(1), Entries.TEXT, 1, text);
        assertData(frames.get(2), Entries.BINARY, 2, binary);
        assertData(frames.get(3), Entries.TEXT, Long.MAX_VALUE, new byte[0]);
        for (int i = 1; i < maps.size(); i++) {
            assertFields(maps.get(i), frames.get(3 + i));
        }
        assertEquals("héllo ✓ 😀", Entries.message(Entries.TEXT, frames.get(1).payload()).text());
        assertEquals("123456789", Entries.text(frames.get(7).fields(), Entries.READ));
    }

    private static void assertData(Frames.Frame frame, byte kind, long number, byte[] payload) {
        assertNull(frame.fields());
        assertEquals(kind, frame.kind());
        assertEquals("n1.1", frame.link());
        assertEquals(number, frame.number());
        assertArrayEquals(payload, frame.payload());
    }

    private static void assertFields(Map<String, byte[]> sent, Frames.Frame frame) {
        assertEquals(sent.keySet(), frame.fields().keySet());
        for (String field : sent.keySet()) {
            assertArrayEquals(sent.get(field), frame.fields().get(field), field);
        }
    }

    @Test
    void aTruncatedBatchIsRefused() {
        byte[] data = Frames.data(Entries.TEXT, "l".getBytes(UTF_8), 1, "a message".getBytes(UTF_8));
        byte[] fields = Frames.encode(Entries.close("l"));
        assertThrows(IllegalArgumentException.class, () -> Frames.read(Arrays.copyOf(data, data.length - 3)));
        assertThrows(IllegalArgumentException.class, () -> Frames.read(Arrays.copyOf(data, 4)));
        assertThrows(IllegalArgumentException.class, () -> Frames.read(Arrays.copyOf(fields, fields.length - 1)));
    }
}
