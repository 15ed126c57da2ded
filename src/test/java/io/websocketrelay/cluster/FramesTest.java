package io.websocketrelay.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.websocketrelay.core.Outbound;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
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
        List<Map<String, byte[]>> sent = List.of(
                Entries.pair("n1.1", 42),
                Entries.data("n1.1", 1, Outbound.text("héllo ✓ 😀")),
                Entries.data("n1.1", 1, Outbound.binary(ByteBuffer.wrap(binary))),
                Entries.data("n1.1", 1, Outbound.text("")),
                Entries.slow("n1.1"),
                Entries.left("room", "member-1"),
                Entries.ack(123_456_789L));
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (Map<String, byte[]> frame : sent) {
            Frames.write(batch, frame);
        }
        List<Map<String, byte[]>> received = Frames.read(batch.toByteArray());
        assertEquals(sent.size(), received.size());
        for (int i = 0; i < sent.size(); i++) {
            assertEquals(sent.get(i).keySet(), received.get(i).keySet(), "frame " + i);
            for (String field : sent.get(i).keySet()) {
                assertArrayEquals(sent.get(i).get(field), received.get(i).get(field), "frame " + i + " " + field);
            }
        }
        Outbound text = Entries.message(Entries.TEXT, received.get(1).get(Entries.PAYLOAD));
        assertEquals("héllo ✓ 😀", text.text());
        assertEquals("héllo ✓ 😀".getBytes(UTF_8).length, text.size());
        Outbound bytes = Entries.message(Entries.BINARY, received.get(2).get(Entries.PAYLOAD));
        assertEquals(binary.length, bytes.size());
        assertEquals("123456789", Entries.text(received.get(6), Entries.READ));
    }

    @Test
    void aTruncatedBatchIsRefused() {
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        Frames.write(batch, Entries.data("l", 1, Outbound.text("a message")));
        byte[] whole = batch.toByteArray();
        assertThrows(IllegalArgumentException.class, () -> Frames.read(Arrays.copyOf(whole, whole.length - 3)));
        assertThrows(IllegalArgumentException.class, () -> Frames.read(Arrays.copyOf(whole, 4)));
    }
}
