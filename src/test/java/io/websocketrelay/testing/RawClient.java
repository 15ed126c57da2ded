package io.websocketrelay.testing;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a bare socket, for what a client library will not do: drop the connection without a close
 * frame, stop reading, or send a request of its own making.
 */
public final class RawClient implements Closeable {

    /** Opcodes of RFC 6455. */
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    /** A frame from the server. */
    public record Frame(int opcode, boolean fin, byte[] payload) {

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** @return the close code of a close frame */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final String statusLine;
    private final Map<String, String> headers;

    private RawClient(Socket socket, String statusLine, Map<String, String> headers) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.statusLine = statusLine;
        this.headers = headers;
    }

    /** @return a response header by its name in lower case, or {@code null} */
    public String header(String lowerCaseName) {
        return headers.get(lowerCaseName);
    }

    /**
     * Opens a connection and sends an upgrade request for {@code path}; reads the response head.
     *
     * @param receiveBuffer the socket's receive buffer in bytes, or 0 for the system's default
     */
    public static RawClient upgrade(String host, int port, String path, int receiveBuffer) throws IOException {
        return upgrade(host, port, path, receiveBuffer, Map.of());
    }

    /** Like {@link #upgrade(String, int, String, int)}, with more request headers. */
    public static RawClient upgrade(String host, int port, String path, int receiveBuffer, Map<String, String> headers)
            throws IOException {
        StringBuilder extra = new StringBuilder();
        headers.forEach((name, value) -> extra.append(name).append(": ").append(value).append("\r\n"));
        String key = Base64.getEncoder().encodeToString(ThreadLocalRandom.current().ints(16, 0, 256)
                .collect(ByteArrayOutputStream::new, ByteArrayOutputStream::write, (a, b) -> { }).toByteArray());
        return request(host, port, receiveBuffer, "GET " + path + " HTTP/1.1\r\n"
                + "Host: " + host + ":" + port + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n" + extra + "\r\n");
    }

    /** Opens a connection, sends {@code head} as it is and reads the response head. */
    public static RawClient request(String host, int port, int receiveBuffer, String head) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.setSoTimeout((int) RelayClient.TIMEOUT.toMillis());
        socket.connect(new InetSocketAddress(host, port), (int) RelayClient.TIMEOUT.toMillis());
        socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        InputStream in = socket.getInputStream();
        String status = readLine(in);
        Map<String, String> headers = new HashMap<>();
        for (String header = readLine(in); !header.isEmpty(); header = readLine(in)) {
            int colon = header.indexOf(':');
            if (colon > 0) {
                headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
            }
        }
        return new RawClient(socket, status, headers);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("connection closed in the response head after '" + line + "'");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    /** @return the HTTP status code of the response */
    public int status() {
        return Integer.parseInt(statusLine.split(" ")[1]);
    }

    /** Sends one masked frame. */
    public void send(int opcode, boolean fin, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift) & 0xff);
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.write(mask, 0, 4);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    public void sendText(String text) throws IOException {
        send(TEXT, true, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads the next frame from the server, waiting at most {@link RelayClient#TIMEOUT}; pings too, unanswered. */
    public Frame read() throws IOException {
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        long length = second & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[Math.toIntExact(length)];
        in.readFully(payload);
        return new Frame(first & 0x0f, (first & 0x80) != 0, payload);
    }

    /**
     * @return the next text frame's text; a ping before it is answered with a pong, as any client must (the relay
     *         closes a client that does not answer), and skipped
     */
    public String readText() throws IOException {
        Frame frame = read();
        while (frame.opcode() == PING) {
            send(PONG, true, frame.payload());
            frame = read();
        }
        if (frame.opcode() != TEXT) {
            throw new IOException("expected a text frame, got opcode " + frame.opcode());
        }
        return frame.text();
    }

    /** Drops the connection with a TCP reset, without a close frame. */
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
