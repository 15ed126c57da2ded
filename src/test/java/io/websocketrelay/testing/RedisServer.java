package io.websocketrelay.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A real Redis ({@code /usr/bin/redis-server}), run by a test as a child process in the foreground on a free (or a
 * given) port of 127.0.0.1, without persistence, its log and working files in one directory. Besides starting and
 * stopping it, a test can freeze it (SIGSTOP: it keeps its connections but answers nothing), thaw it, kill it with
 * SIGKILL and start an empty one on the same port, as a Redis that fails and comes back would; and it can ask it anything through
 * {@link #command} over a small RESP client of its own.
 *
 * <p>Threading: the life-cycle methods ({@link #freeze}, {@link #thaw}, {@link #kill}, {@link #restartEmpty},
 * {@link #close}) are synchronized with each other; {@link #command} opens a connection of its own each time and may
 * be called from any thread.
 */
public final class RedisServer implements AutoCloseable {

    /** The redis-server binary (Debian's package redis-server). */
    public static final Path BINARY = Path.of("/usr/bin/redis-server");
    /** How long redis-server may take to answer PING after it is started. */
    private static final Duration START = Duration.ofSeconds(10);
    /** Connect and read timeouts of {@link #command}. */
    private static final int CONNECT_TIMEOUT_MILLIS = 2_000;
    private static final int READ_TIMEOUT_MILLIS = 5_000;
    private static final Logger LOG = Logger.getLogger(RedisServer.class.getName());

    private final Path dir;
    private final int port;
    private Process process;

    private RedisServer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /**
     * Starts redis-server on a free port of 127.0.0.1 and waits until it answers PING.
     *
     * @param dir a directory for its log ({@code redis.log}, {@code redis.out}) and working directory; created if
     *            missing
     * @return the running server
     * @throws IOException when it did not answer within 10 s, with its log
     */
    public static RedisServer start(Path dir) throws IOException, InterruptedException {
        return start(dir, Processes.freePort());
    }

    /**
     * Starts redis-server on a given port of 127.0.0.1, e.g. one that the build reserved and handed to a server
     * before this test ran, and waits until it answers PING.
     *
     * @param dir  a directory for its log ({@code redis.log}, {@code redis.out}) and working directory; created if
     *             missing
     * @param port a free port of 127.0.0.1
     * @return the running server
     * @throws IOException when it did not answer within 10 s (the port may be taken), with its log
     */
    public static RedisServer start(Path dir, int port) throws IOException, InterruptedException {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("not a TCP port: " + port);
        }
        Files.createDirectories(dir);
        RedisServer redis = new RedisServer(dir.toAbsolutePath(), port);
        synchronized (redis) {
            redis.process = redis.launch();
            if (!redis.awaitReady(System.nanoTime() + START.toNanos())) {
                redis.close();
                throw new IOException("redis-server did not answer PING on port " + redis.port + " within " + START
                        + "\n" + redis.log());
            }
        }
        return redis;
    }

    /** @return its port on 127.0.0.1; the same after {@link #restartEmpty} */
    public int port() {
        return port;
    }

    /** @return {@code redis://127.0.0.1:<port>}, for the relay's Redis URL */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** @return the PID of the current redis-server process (a new one after {@link #restartEmpty}) */
    public synchronized long pid() {
        return process.pid();
    }

    /** @return whether the current redis-server process runs (frozen counts as running) */
    public synchronized boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Stops the process with SIGSTOP and waits until the kernel shows it stopped. Its connections stay open; it
     * neither reads nor answers until {@link #thaw}.
     */
    public synchronized void freeze() throws IOException, InterruptedException {
        Processes.signal(requireAlive(), "STOP");
        awaitState(true);
    }

    /** Lets a {@linkplain #freeze frozen} process go on with SIGCONT and waits until it is no longer stopped. */
    public synchronized void thaw() throws IOException, InterruptedException {
        Processes.signal(requireAlive(), "CONT");
        awaitState(false);
    }

    /** Kills the process with SIGKILL (frozen or not) and waits for it to end; does nothing when it has ended. */
    public synchronized void kill() throws IOException, InterruptedException {
        Processes.kill9(process, "redis-server on port " + port);
    }

    /**
     * Starts a new, empty redis-server on the same port after {@link #kill}, and waits until it answers PING. The
     * port may be briefly unavailable after the old process died: an attempt that exits is repeated until 10 s
     * have passed.
     *
     * @throws IllegalStateException when the old process still runs
     * @throws IOException           when no attempt answered within 10 s, with the log
     */
    public synchronized void restartEmpty() throws IOException, InterruptedException {
        if (process.isAlive()) {
            throw new IllegalStateException("redis-server on port " + port + " still runs; kill() it first");
        }
        long deadline = System.nanoTime() + START.toNanos();
        int attempts = 0;
        while (true) {
            attempts++;
            process = launch();
            if (awaitReady(deadline)) {
                return;
            }
            if (process.isAlive() || System.nanoTime() > deadline) {
                Processes.kill9(process, "redis-server on port " + port);
                throw new IOException("redis-server did not come back on port " + port + " within " + START + " ("
                        + attempts + " attempts)\n" + log());
            }
            process.waitFor(); // it has exited: reap it, then try again after a pause
            TimeUnit.MILLISECONDS.sleep(Processes.POLL_MILLIS);
        }
    }

    /** @return {@code used_memory} of {@code INFO memory}, in bytes */
    public long usedMemory() throws IOException {
        String info = command("INFO", "memory");
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("used_memory:")) {
                return Long.parseLong(line.substring("used_memory:".length()).strip());
            }
        }
        throw new IOException("no used_memory in INFO memory: " + info);
    }

    /**
     * Sends one command on a new connection and returns its reply: a simple string, an integer or a bulk string as
     * text, {@code null} for a nil reply, an array as its elements joined with {@code "\n"} (nested arrays likewise,
     * nil elements as empty strings). For example {@code command("DBSIZE")}, {@code command("KEYS", "*")},
     * {@code command("XLEN", key)}.
     *
     * @throws IOException an error reply as {@link RedisError}; or a timeout (5 s) when the server is frozen
     */
    public String command(String... args) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), CONNECT_TIMEOUT_MILLIS);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(Resp.encode(args));
            out.flush();
            return Resp.read(new BufferedInputStream(socket.getInputStream()));
        }
    }

    /** @return the tail of its log and of its standard output, for a failure message */
    public String log() {
        return Processes.tail(dir.resolve("redis.log"), 60) + Processes.tail(dir.resolve("redis.out"), 20);
    }

    /** Kills the process if it runs; a failure to do so is logged. Its directory is left as it is. */
    @Override
    public synchronized void close() {
        if (process == null) {
            return;
        }
        try {
            kill();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot stop redis-server on port " + port, e);
        } catch (InterruptedException e) {
            LOG.log(Level.WARNING, "interrupted while stopping redis-server on port " + port, e);
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "redis-server " + url();
    }

    // ---- helpers ----

    private Process launch() throws IOException {
        List<String> command = List.of(BINARY.toString(),
                "--port", Integer.toString(port),
                "--bind", "127.0.0.1",
                "--protected-mode", "no",
                "--save", "",
                "--appendonly", "no",
                "--dir", dir.toString(),
                "--logfile", dir.resolve("redis.log").toString(),
                "--daemonize", "no");
        return new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.out").toFile()))
                .start();
    }

    /** @return true once the current process answers PING; false when it exited or the deadline passed */
    private boolean awaitReady(long deadline) throws InterruptedException {
        while (process.isAlive() && System.nanoTime() < deadline) {
            if (answersPing()) {
                return true;
            }
            process.waitFor(Processes.POLL_MILLIS, TimeUnit.MILLISECONDS);
        }
        return false;
    }

    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            socket.setSoTimeout(1_000);
            socket.getOutputStream().write(Resp.encode("PING"));
            return "PONG".equals(Resp.read(new BufferedInputStream(socket.getInputStream())));
        } catch (IOException e) {
            return false; // not listening yet, or still loading: asked again
        }
    }

    private Process requireAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException("redis-server on port " + port + " has ended");
        }
        return process;
    }

    private void awaitState(boolean stopped) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Processes.EXIT.toNanos();
        while ((Processes.state(process.pid()) == 'T') != stopped) {
            if (System.nanoTime() > deadline) {
                throw new IOException("redis-server (pid " + process.pid() + ") not " + (stopped ? "" : "un")
                        + "stopped within " + Processes.EXIT + ", state " + Processes.state(process.pid()));
            }
            TimeUnit.MILLISECONDS.sleep(Processes.POLL_MILLIS);
        }
    }

    /** An error reply ({@code -ERR ...}) of Redis. */
    public static final class RedisError extends IOException {

        private static final long serialVersionUID = 1L;

        RedisError(String message) {
            super(message);
        }
    }

    /** The least of RESP2 a test needs: commands out as arrays of bulk strings, the five reply types in. */
    static final class Resp {

        private Resp() {
        }

        static byte[] encode(String... args) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ascii(out, "*" + args.length + "\r\n");
            for (String arg : args) {
                byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
                ascii(out, "$" + bytes.length + "\r\n");
                out.writeBytes(bytes);
                ascii(out, "\r\n");
            }
            return out.toByteArray();
        }

        static String read(InputStream in) throws IOException {
            int type = in.read();
            if (type < 0) {
                throw new EOFException("connection closed before a reply");
            }
            String line = line(in);
            switch (type) {
                case '+':
                case ':':
                    return line;
                case '-':
                    throw new RedisError(line);
                case '$': {
                    int length = Integer.parseInt(line);
                    if (length < 0) {
                        return null;
                    }
                    byte[] bytes = in.readNBytes(length);
                    if (bytes.length < length || in.read() != '\r' || in.read() != '\n') {
                        throw new EOFException("bulk string of " + length + " bytes cut short");
                    }
                    return new String(bytes, StandardCharsets.UTF_8);
                }
                case '*': {
                    int count = Integer.parseInt(line);
                    if (count < 0) {
                        return null;
                    }
                    List<String> elements = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        String element = read(in);
                        elements.add(element == null ? "" : element);
                    }
                    return String.join("\n", elements);
                }
                default:
                    throw new IOException("unexpected RESP type '" + (char) type + "' with " + line);
            }
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b != '\r'; b = in.read()) {
                if (b < 0) {
                    throw new EOFException("connection closed in a reply line");
                }
                line.write(b);
            }
            if (in.read() != '\n') {
                throw new IOException("CR without LF in a reply line");
            }
            return line.toString(StandardCharsets.UTF_8);
        }

        private static void ascii(ByteArrayOutputStream out, String text) {
            out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
        }
    }
}
