package io.websocketrelay.config;

import java.util.function.UnaryOperator;

/**
 * The limits of the relay, the same in the standalone launcher and on an application server.
 *
 * @param maxMessageBytes  the largest message, in bytes, that a client may send; see {@link #MAX_MESSAGE_BYTES}
 * @param sendBufferBytes  how much may wait to be sent to one receiver; see {@link #SEND_BUFFER_BYTES}
 */
public record RelaySettings(int maxMessageBytes, long sendBufferBytes) {

    /**
     * The largest message a client may send, in bytes (UTF-8 bytes for text); a message of exactly this size is
     * relayed, a larger one closes its sender with 1009 (message too big). Default 65,536, the original's limit.
     */
    public static final Key MAX_MESSAGE_BYTES = new Key("relay.max-message-bytes", "65536");

    /**
     * The most bytes (characters for text) queued for one receiver that has not yet read what it was sent. Past
     * it the receiver is closed with 1008 and its peer is told {@code /remote:close}. Default 1,048,576 (1 MiB);
     * never less than {@link #MAX_MESSAGE_BYTES} plus room for the control messages.
     */
    public static final Key SEND_BUFFER_BYTES = new Key("relay.send-buffer-bytes", "1048576");

    /** Room that the send buffer keeps beyond one largest message, for the control messages around it. */
    static final int CONTROL_HEADROOM = 1024;

    public RelaySettings {
        if (maxMessageBytes < 1) {
            throw new IllegalArgumentException(MAX_MESSAGE_BYTES.variable() + " must be at least 1");
        }
        if (sendBufferBytes < (long) maxMessageBytes + CONTROL_HEADROOM) {
            throw new IllegalArgumentException(SEND_BUFFER_BYTES.variable() + " (" + sendBufferBytes
                    + ") must be at least " + MAX_MESSAGE_BYTES.variable() + " + " + CONTROL_HEADROOM + " ("
                    + ((long) maxMessageBytes + CONTROL_HEADROOM) + ")");
        }
    }

    /** @return the defaults of every key */
    public static RelaySettings defaults() {
        return read(name -> null, name -> null);
    }

    /** @return the settings of this process: environment variables, then system properties, then defaults */
    public static RelaySettings fromEnvironment() {
        return read(System::getenv, System::getProperty);
    }

    /**
     * @param environment the environment variables
     * @param properties  the system properties
     * @return the settings these name
     * @throws IllegalArgumentException naming the key of a value that is not valid
     */
    public static RelaySettings read(UnaryOperator<String> environment, UnaryOperator<String> properties) {
        long max = MAX_MESSAGE_BYTES.parseLong(MAX_MESSAGE_BYTES.read(environment, properties), 1);
        if (max > Integer.MAX_VALUE - CONTROL_HEADROOM) {
            throw new IllegalArgumentException(MAX_MESSAGE_BYTES.variable() + " must be at most "
                    + (Integer.MAX_VALUE - CONTROL_HEADROOM));
        }
        long buffer = SEND_BUFFER_BYTES.parseLong(SEND_BUFFER_BYTES.read(environment, properties), 1);
        return new RelaySettings((int) max, buffer);
    }

    /** @return a copy with another message limit */
    public RelaySettings withMaxMessageBytes(int bytes) {
        return new RelaySettings(bytes, sendBufferBytes);
    }

    /** @return a copy with another send buffer */
    public RelaySettings withSendBufferBytes(long bytes) {
        return new RelaySettings(maxMessageBytes, bytes);
    }
}
