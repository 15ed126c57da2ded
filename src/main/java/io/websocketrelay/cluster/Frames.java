package io.websocketrelay.cluster;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The batch of one inbox entry: the frames a node posted to another since its last {@code XADD}, each a map of
 * one-letter fields ({@link Entries}). Encoded as frames one after the other: a frame is its field count (1 byte),
 * then per field its letter (1 byte), its length (4 bytes) and its bytes.
 */
final class Frames {

    private Frames() {
    }

    /** Appends one frame to a batch being built. */
    static void write(ByteArrayOutputStream batch, Map<String, byte[]> frame) {
        batch.write(frame.size());
        for (Map.Entry<String, byte[]> field : frame.entrySet()) {
            byte[] value = field.getValue();
            batch.write(field.getKey().charAt(0));
            batch.write(value.length >>> 24);
            batch.write(value.length >>> 16);
            batch.write(value.length >>> 8);
            batch.write(value.length);
            batch.write(value, 0, value.length);
        }
    }

    /**
     * @return the frames of a batch, in order
     * @throws IllegalArgumentException when the bytes are not a batch
     */
    static List<Map<String, byte[]>> read(byte[] batch) {
        List<Map<String, byte[]>> frames = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(batch);
        try {
            while (in.hasRemaining()) {
                int fields = in.get() & 0xff;
                Map<String, byte[]> frame = new HashMap<>(fields * 2);
                for (int i = 0; i < fields; i++) {
                    String name = String.valueOf((char) (in.get() & 0xff));
                    int length = in.getInt();
                    if (length < 0 || length > in.remaining()) {
                        throw new IllegalArgumentException("a field of " + length + " bytes in a batch");
                    }
                    byte[] value = new byte[length];
                    in.get(value);
                    frame.put(name, value);
                }
                frames.add(frame);
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("a batch ends inside a frame");
        }
        return frames;
    }
}
