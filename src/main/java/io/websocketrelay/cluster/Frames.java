package io.websocketrelay.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The frames in the batch of one inbox entry, one after the other. A message on a pair's link, the bulk of the
 * traffic, has a layout of its own: {@code 'D'}, its kind ({@code T} or {@code B}), the link id (1 byte of length,
 * then its bytes), its number on the link (8 bytes), the payload (4 bytes of length, then its bytes). Any other frame
 * is a map of one-letter fields ({@link Entries}): its field count (1 byte, below 32), then per field its letter
 * (1 byte), its length (4 bytes) and its bytes.
 */
final class Frames {

    private static final byte DATA = 'D';

    /**
     * A frame read from a batch: a message on a link ({@code fields == null}), or a map of fields.
     *
     * @param fields  the fields of a frame of any other kind, else {@code null}
     * @param kind    {@link Entries#TEXT} or {@link Entries#BINARY} for a message on a link
     * @param link    the link of a message
     * @param number  its number on the link
     * @param payload its bytes
     */
    record Frame(Map<String, byte[]> fields, byte kind, String link, long number, byte[] payload) {
    }

    private Frames() {
    }

    /** @return a message on a link as a frame */
    static byte[] data(byte kind, byte[] link, long number, byte[] payload) {
        ByteBuffer out = ByteBuffer.allocate(2 + 1 + link.length + 8 + 4 + payload.length);
        out.put(DATA).put(kind).put((byte) link.length).put(link).putLong(number).putInt(payload.length).put(payload);
        return out.array();
    }

    /** @return a frame of fields */
    static byte[] encode(Map<String, byte[]> frame) {
        int size = 1;
        for (byte[] value : frame.values()) {
            size += 5 + value.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put((byte) frame.size());
        for (Map.Entry<String, byte[]> field : frame.entrySet()) {
            out.put((byte) field.getKey().charAt(0)).putInt(field.getValue().length).put(field.getValue());
        }
        return out.array();
    }

    /** @return the frames laid one after the other */
    static byte[] batch(List<byte[]> frames) {
        int size = 0;
        for (byte[] frame : frames) {
            size += frame.length;
        }
        byte[] batch = new byte[size];
        int at = 0;
        for (byte[] frame : frames) {
            System.arraycopy(frame, 0, batch, at, frame.length);
            at += frame.length;
        }
        return batch;
    }

    /**
     * @return the frames of a batch, in order
     * @throws IllegalArgumentException when the bytes are not a batch
     */
    static List<Frame> read(byte[] batch) {
        List<Frame> frames = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(batch);
        try {
            while (in.hasRemaining()) {
                byte first = in.get();
                if (first == DATA) {
                    byte kind = in.get();
                    byte[] link = new byte[in.get() & 0xff];
                    in.get(link);
                    long number = in.getLong();
                    frames.add(new Frame(null, kind, new String(link, UTF_8), number, bytes(in, in.getInt())));
                    continue;
                }
                int count = first & 0xff;
                Map<String, byte[]> fields = new HashMap<>(count * 2);
                for (int i = 0; i < count; i++) {
                    String name = String.valueOf((char) (in.get() & 0xff));
                    fields.put(name, bytes(in, in.getInt()));
                }
                frames.add(new Frame(fields, (byte) 0, null, 0, null));
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("a batch ends inside a frame");
        }
        return frames;
    }

    private static byte[] bytes(ByteBuffer in, int length) {
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("a field of " + length + " bytes in a batch");
        }
        byte[] value = new byte[length];
        in.get(value);
        return value;
    }
}
