package io.websocketrelay.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The tests' one client on a bare socket, for what a client library will not do: write any bytes, valid or not (a
 * request of its own making, broken frames), stop reading, or drop the connection without a close frame. It reports
 * what the server answered: the HTTP response head of a handshake, the frames that came back, whether a close frame
 * came and with which code, and whether the server then ended the TCP connection. Every read is bounded by a
 * deadline.
 *
 * <p>Threading: one thread per client.
 */
public final class WireClient implements Closeable {

    /** Opcodes of RFC 6455. */
    public static final int CONTINUATION = 0x0;
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    /** A response head: the status code ({@code -1} when none came) and the headers, names in lower case. */
    public record Response(int status, String statusLine, Map<String, String> headers) {
        @Override
        public String toString() {
            return status < 0 ? "no HTTP response" : statusLine;
        }
    }

    /** A frame from the server. */
    public record Frame(int opcode, boolean fin, int rsv, byte[] payload) {

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** @return the close code of a close frame, or 1005 when it has none */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }

        /** @return the reason of a close frame */
        public String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }
    }

    /** How a connection ended, as seen by the client. */
    public enum End {
        /** The server closed its side of TCP (EOF). */
        EOF,
        /** The server reset the connection. */
        RESET,
        /** Nothing ended the connection before the deadline. */
        STILL_OPEN
    }

    /**
     * What the server did after some input.
     *
     * @param frames    the frames it sent, in order, close frame included
     * @param closeCode the code of its close frame, or {@code -1} when it sent none
     * @param end       how the TCP connection ended
     */
    public record Outcome(List<Frame> frames, int closeCode, String closeReason, End end, long millis) {
        @Override
        public String toString() {
            return (closeCode < 0 ? "no close frame" : "close " + closeCode + " '" + closeReason + "'") + ", then "
                    + end + " after " + millis + " ms";
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /** The answer to the upgrade request, when this client was made by {@link #upgrade} or {@link #request}. */
    private Response response;

    private WireClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        this.out = socket.getOutputStream();
    }

    /**
     * Opens a TCP connection and sends nothing.
     *
     * @param receiveBuffer the socket's receive buffer in bytes, or 0 for the system's default
     */
    public static WireClient connect(String host, int port, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), (int) RelayClient.TIMEOUT.toMillis());
        return new WireClient(socket);
    }

    /** @return a fresh random {@code Sec-WebSocket-Key} */
    public static String newKey() {
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    /** @return a valid upgrade request head for {@code path} */
    public static String upgradeHead(String host, int port, String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + newKey() + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    }

    /** Opens a connection, upgrades it to {@code path} and checks that the server switched protocols. */
    public static WireClient upgraded(String host, int port, String path, int receiveBuffer) throws IOException {
        return upgraded(host, port, path, receiveBuffer, RelayClient.TIMEOUT);
    }

    /**
     * Like {@link #upgraded(String, int, String, int)}, with the time the server has to answer the upgrade (from
     * the start of the TCP connect to the end of the response head).
     */
    public static WireClient upgraded(String host, int port, String path, int receiveBuffer, Duration answerWithin)
            throws IOException {
        long start = System.nanoTime();
        WireClient client = connect(host, port, receiveBuffer);
        client.write(upgradeHead(host, port, path));
        Duration left = answerWithin.minusNanos(System.nanoTime() - start);
        Response response = client.readResponse(left.isNegative() ? Duration.ofMillis(1) : left);
        if (response.status() != 101) {
            client.close();
            throw new IOException("upgrade of " + path + " answered " + response + " within " + answerWithin);
        }
        return client;
    }

    /**
     * Opens a connection, sends an upgrade request for {@code path} with {@code headers} added, and reads the
     * response head, whatever its status ({@link #status()}).
     */
    public static WireClient upgrade(String host, int port, String path, int receiveBuffer, Map<String, String> headers)
            throws IOException {
        StringBuilder extra = new StringBuilder();
        headers.forEach((name, value) -> extra.append(name).append(": ").append(value).append("\r\n"));
        String head = upgradeHead(host, port, path);
        return request(host, port, receiveBuffer, head.substring(0, head.length() - 2) + extra + "\r\n");
    }

    /** Like {@link #upgrade(String, int, String, int, Map)} without extra headers. */
    public static WireClient upgrade(String host, int port, String path, int receiveBuffer) throws IOException {
        return upgrade(host, port, path, receiveBuffer, Map.of());
    }

    /**
     * Sends an upgrade request for {@code path} on a socket the caller connected (e.g. from a chosen local address,
     * or with TLS) and reads the response head ({@link #status()}).
     */
    public static WireClient upgrade(Socket socket, String host, int port, String path, Map<String, String> headers)
            throws IOException {
        StringBuilder extra = new StringBuilder();
        headers.forEach((name, value) -> extra.append(name).append(": ").append(value).append("\r\n"));
        String head = upgradeHead(host, port, path);
        return answered(new WireClient(socket), head.substring(0, head.length() - 2) + extra + "\r\n");
    }

    /** Opens a connection, sends {@code head} as it is and reads the response head ({@link #status()}). */
    public static WireClient request(String host, int port, int receiveBuffer, String head) throws IOException {
        return answered(connect(host, port, receiveBuffer), head);
    }

    private static WireClient answered(WireClient client, String head) throws IOException {
        client.write(head);
        client.response = client.readResponse(RelayClient.TIMEOUT);
        if (client.response.status() < 0) {
            client.close();
            throw new IOException("no response to " + head.lines().findFirst().orElse(head));
        }
        return client;
    }

    /** @return the HTTP status of the answer to this client's upgrade request */
    public int status() {
        return response.status();
    }

    /** @return a header of the answer to this client's upgrade request, by its name in lower case, or {@code null} */
    public String header(String lowerCaseName) {
        return response.headers().get(lowerCaseName);
    }

    public void write(String text) throws IOException {
        write(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /**
     * Reads a response head, waiting at most {@code timeout}.
     *
     * @return the response, status {@code -1} when the connection ended or stayed silent before a status line
     */
    public Response readResponse(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String status = readLine(deadline);
        if (status == null) {
            return new Response(-1, "", Map.of());
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < 200; i++) {
            String line = readLine(deadline);
            if (line == null || line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        String[] parts = status.split(" ");
        int code = parts.length > 1 && parts[1].matches("\\d{3}") ? Integer.parseInt(parts[1]) : -1;
        return new Response(code, status, headers);
    }

    /** @return one line without its CRLF, or {@code null} at EOF, reset or the deadline */
    private String readLine(long deadline) throws IOException {
        StringBuilder line = new StringBuilder();
        while (line.length() < 16_384) {
            int c = readByte(deadline);
            if (c < 0) {
                return line.length() == 0 ? null : line.toString();
            }
            if (c == '\n') {
                return line.toString();
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    /** @return the next byte, or -1 at EOF, reset or the deadline */
    private int readByte(long deadline) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return -1;
        }
        socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
        try {
            return in.read();
        } catch (SocketTimeoutException | SocketException e) {
            return -1;
        }
    }

    /**
     * Builds one frame.
     *
     * @param firstByte FIN, RSV1-3 and opcode, as on the wire
     * @param masked    whether to mask the payload (clients must)
     * @param length    the payload length to announce, which may differ from {@code payload.length}
     * @param payload   the bytes to send after the header
     */
    public static byte[] frame(int firstByte, boolean masked, long length, byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write(firstByte);
        int mask = masked ? 0x80 : 0;
        // unsigned: a "negative" length is a 64-bit length with its top bit set
        if (Long.compareUnsigned(length, 126) < 0) {
            frame.write(mask | (int) length);
        } else if (Long.compareUnsigned(length, 65536) < 0) {
            frame.write(mask | 126);
            frame.write((int) (length >>> 8) & 0xff);
            frame.write((int) length & 0xff);
        } else {
            frame.write(mask | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) (length >>> shift) & 0xff);
            }
        }
        byte[] key = new byte[4];
        if (masked) {
            ThreadLocalRandom.current().nextBytes(key);
            frame.write(key, 0, 4);
        }
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ key[i & 3]);
        }
        return frame.toByteArray();
    }

    /** @return a masked frame with the given FIN and opcode, announcing its real length */
    public static byte[] frame(boolean fin, int opcode, byte[] payload) {
        return frame((fin ? 0x80 : 0) | opcode, true, payload.length, payload);
    }

    /** @return the payload of a close frame: the code, then the reason */
    public static byte[] closePayload(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + text.length];
        payload[0] = (byte) (code >>> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, text.length);
        return payload;
    }

    /** Sends one masked frame. */
    public void send(boolean fin, int opcode, byte[] payload) throws IOException {
        write(frame(fin, opcode, payload));
    }

    /** Sends one masked text frame with the whole text. */
    public void sendText(String text) throws IOException {
        send(true, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** @return the next frame; fails when none comes within {@link RelayClient#TIMEOUT} */
    public Frame read() throws IOException {
        Frame frame = readFrame(RelayClient.TIMEOUT);
        if (frame == null) {
            throw new IOException("no frame within " + RelayClient.TIMEOUT);
        }
        return frame;
    }

    /** @return the next frame, or {@code null} at EOF, reset or the deadline */
    public Frame readFrame(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int first = readByte(deadline);
        int second = first < 0 ? -1 : readByte(deadline);
        if (second < 0) {
            return null;
        }
        long length = second & 0x7f;
        int extra = length == 126 ? 2 : length == 127 ? 8 : 0;
        if (extra > 0) {
            length = 0;
            for (int i = 0; i < extra; i++) {
                int b = readByte(deadline);
                if (b < 0) {
                    return null;
                }
                length = (length << 8) | b;
            }
        }
        if (length > 64L * 1024 * 1024 || length < 0) {
            throw new IOException("the server announced a frame of " + length + " bytes");
        }
        byte[] payload = new byte[(int) length];
        for (int off = 0; off < payload.length; ) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
            try {
                int n = in.read(payload, off, payload.length - off);
                if (n < 0) {
                    return null;
                }
                off += n;
            } catch (SocketTimeoutException | SocketException e) {
                return null;
            }
        }
        return new Frame(first & 0x0f, (first & 0x80) != 0, (first >>> 4) & 0x7, payload);
    }

    /**
     * @return the next text frame's text; a ping before it (the relay's heartbeat may tick at any moment) is answered
     *         with a pong, as any client must; fails when something else or nothing comes
     */
    public String readText() throws IOException {
        Frame frame = readFrame(RelayClient.TIMEOUT);
        while (frame != null && frame.opcode() == PING) {
            send(true, PONG, frame.payload());
            frame = readFrame(RelayClient.TIMEOUT);
        }
        if (frame == null || frame.opcode() != TEXT) {
            throw new IOException("expected a text frame, got " + (frame == null ? "nothing" : "opcode " + frame.opcode()));
        }
        return frame.text();
    }

    /**
     * Reads what the server sends until it ends the connection or {@code timeout} passes. After a close frame it
     * keeps reading (at most {@code timeout} in all) to learn whether the server also ends TCP.
     */
    public Outcome awaitEnd(Duration timeout) throws IOException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        List<Frame> frames = new ArrayList<>();
        int code = -1;
        String reason = "";
        while (frames.size() < 10_000) {
            Frame frame = readFrame(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (frame == null) {
                break;
            }
            frames.add(frame);
            if (frame.opcode() == CLOSE && code < 0) {
                code = frame.closeCode();
                reason = frame.closeReason();
            }
        }
        End end = probeEnd(deadline);
        return new Outcome(frames, code, reason, end, (System.nanoTime() - start) / 1_000_000);
    }

    /** @return how the connection stands once nothing more is read before {@code deadline} */
    private End probeEnd(long deadline) throws IOException {
        long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        socket.setSoTimeout((int) left);
        try {
            int b = in.read();
            return b < 0 ? End.EOF : End.STILL_OPEN;
        } catch (SocketTimeoutException e) {
            return End.STILL_OPEN;
        } catch (EOFException e) {
            return End.EOF;
        } catch (SocketException e) {
            return End.RESET;
        }
    }

    /** @return whether the server has ended the connection, checking for at most {@code timeout} */
    public boolean isEndedWithin(Duration timeout) throws IOException {
        return awaitEnd(timeout).end() != End.STILL_OPEN;
    }

    /** Drops the connection with a TCP reset. */
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
