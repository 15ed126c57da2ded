package io.websocketrelay.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One relay node as operators run it: {@code java -jar websocket-relay-standalone.jar --ip 127.0.0.1 --port 0 ...}
 * in a process of its own, with the test JVM's {@code java}, small JVM flags, and the jar named by the system
 * property {@code relay.standalone.jar} (set by failsafe). Its standard output and error go to files
 * {@code <name>.out} and {@code <name>.err} in a given directory; {@link #start} returns once the launcher has
 * printed the port it serves. Environment variables {@code RELAY_*} of the test JVM are not passed on; settings
 * come from the arguments and the environment given to {@link #start}.
 *
 * <p>Threading: {@link #kill}, {@link #terminate} and {@link #close} are synchronized with each other; the other
 * methods only read and may be called from any thread.
 */
public final class RelayNode implements AutoCloseable {

    /** The JVM flags of a node unless a test gives its own: a small heap and a quick start. */
    public static final List<String> DEFAULT_JVM_FLAGS =
            List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    /** How long a node may take to print its URL (a cold JVM, Weld and Grizzly). */
    private static final Duration START = Duration.ofSeconds(30);
    private static final Pattern SERVING = Pattern.compile(" serving ws://127\\.0\\.0\\.1:(\\d+)/");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Logger LOG = Logger.getLogger(RelayNode.class.getName());

    private final Process process;
    private final String name;
    private final Path stdout;
    private final Path stderr;
    private final String commandLine;
    private volatile int port;

    private RelayNode(Process process, String name, Path stdout, Path stderr, String commandLine) {
        this.process = process;
        this.name = name;
        this.stdout = stdout;
        this.stderr = stderr;
        this.commandLine = commandLine;
    }

    /**
     * Starts a node with {@link #DEFAULT_JVM_FLAGS} and no extra environment.
     *
     * @see #start(Path, String, List, Map, List)
     */
    public static RelayNode start(Path dir, String name, String... args) throws IOException, InterruptedException {
        return start(dir, name, DEFAULT_JVM_FLAGS, Map.of(), List.of(args));
    }

    /**
     * Starts {@code java <jvmFlags> -jar <relay.standalone.jar> --ip 127.0.0.1 --port 0 <args>} and waits (30 s at
     * most) for its line {@code websocket-relay <version> serving ws://127.0.0.1:<port>/...}.
     *
     * @param dir         a directory for its output files; created if missing
     * @param name        the node's name in file names and messages, e.g. {@code node1}
     * @param jvmFlags    flags for the JVM, e.g. {@link #DEFAULT_JVM_FLAGS}
     * @param environment variables added to the test JVM's environment (without its {@code RELAY_*} ones)
     * @param args        more arguments for the launcher
     * @return the node, serving
     * @throws IOException when it exited or printed no URL within 30 s (it is killed then), with its output
     */
    public static RelayNode start(Path dir, String name, List<String> jvmFlags, Map<String, String> environment,
            List<String> args) throws IOException, InterruptedException {
        String property = System.getProperty("relay.standalone.jar");
        if (property == null) {
            throw new IllegalStateException("the system property relay.standalone.jar is not set; failsafe sets it,"
                    + " run with mvn verify");
        }
        Path jar = Path.of(property);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing; run mvn package first");
        }
        Files.createDirectories(dir);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.addAll(List.of("-jar", jar.toString(), "--ip", "127.0.0.1", "--port", "0"));
        command.addAll(args);
        Path stdout = dir.resolve(name + ".out");
        Path stderr = dir.resolve(name + ".err");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        builder.environment().keySet().removeIf(variable -> variable.startsWith("RELAY_"));
        builder.environment().putAll(environment);
        RelayNode node = new RelayNode(builder.start(), name, stdout, stderr,
                String.join(" ", command) + (environment.isEmpty() ? "" : " with " + environment));
        try {
            node.port = node.awaitServing();
        } catch (IOException | RuntimeException | InterruptedException e) {
            node.close();
            throw e;
        }
        return node;
    }

    /** @return its name, as given to {@link #start} */
    public String name() {
        return name;
    }

    /** @return the port it serves on 127.0.0.1 */
    public int port() {
        return port;
    }

    /** @return {@code ws://127.0.0.1:<port>/<path>}, e.g. {@code url("abc")} or {@code url("room/abc")} */
    public String url(String path) {
        return "ws://127.0.0.1:" + port + "/" + (path.startsWith("/") ? path.substring(1) : path);
    }

    /** @return {@code http://127.0.0.1:<port>/health} */
    public URI health() {
        return URI.create("http://127.0.0.1:" + port + "/health");
    }

    /** @return {@code http://127.0.0.1:<port>/metrics} */
    public URI metrics() {
        return URI.create("http://127.0.0.1:" + port + "/metrics");
    }

    /** @return the PID of its JVM */
    public long pid() {
        return process.pid();
    }

    /** @return whether its JVM still runs */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills its JVM with SIGKILL (no shutdown hook runs) and waits for it to end; nothing when it has ended. */
    public synchronized void kill() throws IOException, InterruptedException {
        Processes.kill9(process, "relay node " + name);
    }

    /**
     * Sends SIGTERM (the launcher's shutdown hook closes every connection with 1001) and waits for the JVM to end.
     *
     * @param timeout how long to wait for the end
     * @return its exit code ({@code 143} = 128 + SIGTERM after the shutdown hooks)
     * @throws IOException when it still runs after {@code timeout} ({@link #close} kills it)
     */
    public synchronized int terminate(Duration timeout) throws IOException, InterruptedException {
        Processes.signal(process, "TERM");
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IOException("relay node " + name + " still runs " + timeout + " after SIGTERM\n" + output());
        }
        return process.exitValue();
    }

    /** @return its resident set size: {@code VmRSS} of {@code /proc/<pid>/status}, in bytes */
    public long rssBytes() throws IOException {
        Path status = Path.of("/proc", Long.toString(process.pid()), "status");
        List<String> lines;
        try {
            lines = Files.readAllLines(status, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException("relay node " + name + " (pid " + process.pid() + ") has ended", e);
        }
        for (String line : lines) {
            if (line.startsWith("VmRSS:")) {
                String[] fields = line.substring("VmRSS:".length()).strip().split("\\s+");
                if (fields.length == 2 && fields[1].equals("kB")) {
                    return Long.parseLong(fields[0]) * 1024;
                }
                throw new IOException("unexpected line in " + status + ": " + line);
            }
        }
        throw new IOException("no VmRSS in " + status);
    }

    /** @return its command line, standard output and standard error (their tails), for a failure message */
    public String output() {
        return "relay node " + name + (process.isAlive() ? " (running)" : " (exited with " + process.exitValue() + ")")
                + ": " + commandLine + "\n" + Processes.tail(stdout, 100) + Processes.tail(stderr, 200);
    }

    /**
     * GETs {@code uri} (5 s timeouts), e.g. a node's {@link #health} or {@link #metrics}.
     *
     * @return the status code, a space, and the body, e.g. {@code 200 {"status":"UP",...}}
     */
    public static String httpGet(URI uri) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    /**
     * Waits until the node's {@code /health} says {@code "cluster":"<state>"}.
     *
     * @throws AssertionError with the last answer and the node's output when it did not within {@code within}
     */
    public void awaitCluster(String state, Duration within) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        String health = "";
        while (System.nanoTime() < deadline) {
            health = httpGet(health());
            if (health.contains("\"cluster\":\"" + state + "\"")) {
                return;
            }
            process.waitFor(50, TimeUnit.MILLISECONDS);
        }
        throw new AssertionError(name + " did not say cluster " + state + " within " + within + ": " + health
                + "\n" + output());
    }

    /** Kills its JVM if it runs; a failure to do so is logged. */
    @Override
    public synchronized void close() {
        try {
            kill();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot stop relay node " + name, e);
        } catch (InterruptedException e) {
            LOG.log(Level.WARNING, "interrupted while stopping relay node " + name, e);
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "relay node " + name + " on port " + port;
    }

    /** @return the port of the first line with " serving ws://" on its standard output */
    private int awaitServing() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START.toNanos();
        while (true) {
            boolean alive = process.isAlive(); // looked at before the output, so that a last line is not missed
            String text = new String(Files.readAllBytes(stdout), StandardCharsets.UTF_8);
            // complete lines only: the launcher may be in the middle of writing the last one
            for (String line : text.substring(0, text.lastIndexOf('\n') + 1).split("\n")) {
                if (line.contains(" serving ws://")) {
                    Matcher matcher = SERVING.matcher(line);
                    if (!matcher.find()) {
                        throw new IOException("unexpected line '" + line + "'\n" + output());
                    }
                    return Integer.parseInt(matcher.group(1));
                }
            }
            if (!alive) {
                throw new IOException("relay node " + name + " exited before serving\n" + output());
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("relay node " + name + " printed no URL within " + START + "\n" + output());
            }
            process.waitFor(Processes.POLL_MILLIS, TimeUnit.MILLISECONDS);
        }
    }
}
