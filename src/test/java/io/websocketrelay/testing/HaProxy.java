package io.websocketrelay.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A real HAProxy, run by a test in the foreground ({@code haproxy -db}, one process) in front of relay nodes on
 * 127.0.0.1. It serves the shipped {@code server-config/haproxy/haproxy.cfg} with its {@code bind} line replaced by a
 * free port of 127.0.0.1, its three example servers by one server per node ({@code relay1}, {@code relay2}, ... in
 * the order of the ports given, checked every 500 ms, so that a test sees a node go down within about a second), its
 * log sent to standard output, and its stats socket moved into the test's directory. {@link #start} returns once the
 * frontend accepts connections and HAProxy's health checks have passed for every server. Everything HAProxy writes
 * goes to {@code haproxy.out} in that directory.
 *
 * <p>Threading: {@link #serverStatus} opens a connection of its own each time and may be called from any thread, as
 * may the getters; {@link #close} is synchronized.
 */
public final class HaProxy implements AutoCloseable {

    /** The haproxy binary (Debian's package haproxy). */
    public static final Path BINARY = Path.of("/usr/sbin/haproxy");
    /** The backend of the shipped configuration. */
    public static final String BACKEND = "relays";
    /** How long HAProxy may take to listen and to find every server UP. */
    private static final Duration START = Duration.ofSeconds(20);
    /** How long HAProxy may take to answer on its stats socket. */
    private static final Duration STATS = Duration.ofSeconds(5);
    /** The longest path of a UNIX domain socket on Linux (sun_path without its terminating NUL). */
    private static final int MAX_SOCKET_PATH = 107;
    private static final Logger LOG = Logger.getLogger(HaProxy.class.getName());

    private final Process process;
    private final Path dir;
    private final Path socket;
    private final int port;
    private final int servers;
    private boolean closed;

    private HaProxy(Process process, Path dir, Path socket, int port, int servers) {
        this.process = process;
        this.dir = dir;
        this.socket = socket;
        this.port = port;
        this.servers = servers;
    }

    /**
     * @param binary    the haproxy binary, e.g. {@link #BINARY}
     * @param shipped   the shipped configuration file
     * @param dir       a directory for HAProxy's files (its configuration, output and stats socket); created if
     *                  missing; its absolute path must be short enough for a UNIX domain socket
     * @param nodePorts the relay nodes' ports on 127.0.0.1, one server each
     * @return HAProxy, listening, with every server UP
     * @throws IOException when the shipped file lacks a text to replace, or HAProxy did not start or did not find
     *                     every server UP within 20 s, with its output and the servers' states
     */
    public static HaProxy start(Path binary, Path shipped, Path dir, List<Integer> nodePorts)
            throws IOException, InterruptedException {
        if (nodePorts.isEmpty()) {
            throw new IllegalArgumentException("no node ports");
        }
        Files.createDirectories(dir);
        Path absolute = dir.toAbsolutePath();
        Path socket = absolute.resolve("haproxy.sock");
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
            throw new IOException(socket + " is too long for a UNIX domain socket; give a shorter directory");
        }
        int port = Processes.freePort();
        StringBuilder servers = new StringBuilder();
        for (int i = 0; i < nodePorts.size(); i++) {
            servers.append("    server relay").append(i + 1).append(" 127.0.0.1:").append(nodePorts.get(i))
                    .append(" check inter 500ms fall 2 rise 2\n");
        }
        Map<String, String> replacements = new LinkedHashMap<>();
        replacements.put("    bind *:80\n", "    bind 127.0.0.1:" + port + "\n");
        replacements.put("    log /dev/log local0\n", "    log stdout format raw local0 info\n");
        replacements.put(" /run/haproxy/admin.sock ", " " + socket + " ");
        replacements.put("    server relay1 10.0.0.1:8080 check inter 2s fall 3 rise 2\n", servers.toString());
        replacements.put("    server relay2 10.0.0.2:8080 check inter 2s fall 3 rise 2\n", "");
        replacements.put("    server relay3 10.0.0.3:8080 check inter 2s fall 3 rise 2\n", "");
        String config = Files.readString(shipped, StandardCharsets.UTF_8);
        for (Map.Entry<String, String> replacement : replacements.entrySet()) {
            if (!config.contains(replacement.getKey())) {
                throw new IOException(shipped + " has no '" + replacement.getKey().strip() + "' to replace");
            }
            config = config.replace(replacement.getKey(), replacement.getValue());
        }
        Path cfg = Files.writeString(absolute.resolve("haproxy.cfg"), config, StandardCharsets.UTF_8);
        Files.deleteIfExists(socket); // left by an earlier run in the same directory, HAProxy would not bind it
        Process process = new ProcessBuilder(binary.toString(), "-db", "-f", cfg.toString())
                .directory(absolute.toFile())
                .redirectErrorStream(true)
                .redirectOutput(absolute.resolve("haproxy.out").toFile())
                .start();
        HaProxy haProxy = new HaProxy(process, absolute, socket, port, nodePorts.size());
        try {
            haProxy.awaitReady(System.nanoTime() + START.toNanos());
        } catch (IOException | RuntimeException | InterruptedException e) {
            haProxy.close();
            throw e;
        }
        return haProxy;
    }

    /** @return the frontend's port on 127.0.0.1: {@code ws://127.0.0.1:<port>/<id>} reaches a node */
    public int port() {
        return port;
    }

    /** @return the PID of HAProxy */
    public long pid() {
        return process.pid();
    }

    /**
     * Asks HAProxy ({@code show stat} on its stats socket) for the state of each server of the backend.
     *
     * @return each server's name ({@code relay1}, ...) with its {@code status} ({@code UP}, {@code DOWN},
     *         {@code UP 1/2} while going down, ...) and, after a space, its {@code check_status} ({@code L7OK},
     *         {@code L4CON}, ...), e.g. {@code relay2 -> "DOWN L4CON"}, in the order of the configuration
     * @throws IOException when HAProxy does not answer within 5 s
     */
    public Map<String, String> serverStatus() throws IOException {
        String csv = showStat();
        List<String> lines = csv.lines().toList();
        if (lines.isEmpty() || !lines.get(0).startsWith("# ")) {
            throw new IOException("unexpected answer to show stat: " + csv);
        }
        List<String> header = Arrays.asList(lines.get(0).substring(2).split(",", -1));
        int proxy = column(header, "pxname");
        int server = column(header, "svname");
        int status = column(header, "status");
        int check = column(header, "check_status");
        Map<String, String> states = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.split(",", -1);
            if (fields.length > check && fields[proxy].equals(BACKEND)
                    && !fields[server].equals("BACKEND") && !fields[server].equals("FRONTEND")) {
                states.put(fields[server], fields[status] + " " + fields[check]);
            }
        }
        return states;
    }

    /** @return the tail of what HAProxy wrote (its alerts, warnings and log lines), for a failure message */
    public String log() {
        return Processes.tail(dir.resolve("haproxy.out"), 100);
    }

    /**
     * Stops HAProxy with SIGTERM (SIGKILL after 10 s) and waits for it to end; a failure to stop is logged.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Processes.signal(process, "TERM");
            if (!process.waitFor(Processes.EXIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warning(() -> "haproxy (pid " + process.pid() + ") still runs " + Processes.EXIT
                        + " after SIGTERM; killing it");
                Processes.kill9(process, "haproxy");
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot stop haproxy (pid " + process.pid() + ")", e);
        } catch (InterruptedException e) {
            LOG.log(Level.WARNING, "interrupted while stopping haproxy (pid " + process.pid() + ")", e);
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "haproxy on port " + port;
    }

    // ---- helpers ----

    /** Waits until the frontend accepts and every server is UP after a passed check (L7OK). */
    private void awaitReady(long deadline) throws IOException, InterruptedException {
        String last = "no answer yet";
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("haproxy exited with " + process.exitValue() + "\n" + log());
            }
            if (Processes.accepts(port) && Files.exists(socket)) {
                Map<String, String> states;
                try {
                    states = serverStatus();
                } catch (IOException e) {
                    throw new IOException("haproxy's stats socket failed: " + e.getMessage() + "\n" + log(), e);
                }
                last = states.toString();
                if (states.size() == servers && states.values().stream().allMatch("UP L7OK"::equals)) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("haproxy did not find every server UP within " + START + ": " + last + "\n"
                        + log());
            }
            process.waitFor(Processes.POLL_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** @return HAProxy's answer to {@code show stat}, read until it closes the connection or {@link #STATS} ends */
    private String showStat() throws IOException {
        long deadline = System.nanoTime() + STATS.toNanos();
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                Selector selector = Selector.open()) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer command = ByteBuffer.wrap("show stat\n".getBytes(StandardCharsets.US_ASCII));
            while (command.hasRemaining()) {
                channel.write(command);
            }
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
            while (true) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new IOException("no complete answer to show stat on " + socket + " within " + STATS
                            + ": " + answer.toString(StandardCharsets.UTF_8));
                }
                selector.select(left);
                selector.selectedKeys().clear();
                int read;
                while ((read = channel.read(buffer)) > 0) {
                    answer.write(buffer.array(), 0, read);
                    buffer.clear();
                }
                if (read < 0) {
                    return answer.toString(StandardCharsets.UTF_8);
                }
            }
        }
    }

    private static int column(List<String> header, String name) throws IOException {
        int index = header.indexOf(name);
        if (index < 0) {
            throw new IOException("no column " + name + " in show stat: " + header);
        }
        return index;
    }
}
