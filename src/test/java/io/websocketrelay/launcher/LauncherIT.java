package io.websocketrelay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.websocketrelay.core.Protocol;
import io.websocketrelay.testing.RelayClient;
import jakarta.websocket.CloseReason;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone jar as users run it: {@code java -jar websocket-relay-standalone.jar ...} in a process of its own,
 * its output, its exit codes, and its stop on SIGTERM.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LauncherIT {

    /** How long the relay may take to start and print its URL (a cold JVM, Weld and Grizzly). */
    private static final Duration STARTUP = Duration.ofSeconds(60);
    /** How long a process may take to exit once it is told to, or after a mistake on its command line. */
    private static final Duration EXIT = Duration.ofSeconds(15);
    private static final Pattern SERVING =
            Pattern.compile("websocket-relay (\\S+) serving (wss?)://127\\.0\\.0\\.1:(\\d+)/(.*)<id>");

    private static Path java;
    private static Path jar;

    private final List<Relay> started = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void findJar() {
        java = Path.of(System.getProperty("java.home"), "bin", "java");
        String property = System.getProperty("relay.standalone.jar");
        assertNotNull(property, "failsafe sets relay.standalone.jar; run with mvn verify");
        jar = Path.of(property);
        assertTrue(Files.isRegularFile(jar), () -> jar + " is missing; run mvn package first");
    }

    @AfterEach
    void stopProcesses() throws InterruptedException {
        for (Relay relay : started) {
            relay.kill();
        }
    }

    @Test
    void servesPrintsItsUrlAndClosesWith1001OnSigterm() throws Exception {
        Relay relay = start(Map.of(), "-i", "127.0.0.1", "-p", "0");
        Matcher serving = relay.awaitServing();
        assertEquals("ws", serving.group(2));
        assertEquals("", serving.group(4), "no scope");
        assertNotEquals("development", serving.group(1), "the jar's manifest carries the version");
        int port = Integer.parseInt(serving.group(3));
        assertTrue(port > 0 && port <= 65535, serving.group());

        URI uri = URI.create("ws://127.0.0.1:" + port + "/launcher-it");
        try (RelayClient first = connect(relay, uri); RelayClient second = pair(relay, uri, first)) {
            first.send("hello through the jar");
            second.expect("hello through the jar");
            second.send("hello back");
            first.expect("hello back");

            relay.process.destroy(); // SIGTERM: the shutdown hook closes every session with 1001
            CloseReason firstClose = first.awaitClose();
            CloseReason secondClose = second.awaitClose();
            assertEquals(Protocol.CLOSE_GOING_AWAY, firstClose.getCloseCode().getCode(), firstClose.toString());
            assertEquals(Protocol.CLOSE_GOING_AWAY, secondClose.getCloseCode().getCode(), secondClose.toString());
        }
        int code = relay.awaitExit();
        // the JVM exits with 128 + SIGTERM after its shutdown hooks; 0 would be a clean System.exit
        assertTrue(code == 128 + 15 || code == 0, () -> "exit code " + code + "; " + relay.describe());
        assertTrue(relay.stderrText().contains("websocket-relay stopped"), relay::describe);
        assertNoStackTrace(relay);
    }

    @Test
    void environmentOnlyWithScope() throws Exception {
        Relay relay = start(Map.of("RELAY_PORT", "0", "RELAY_IP", "127.0.0.1", "RELAY_SCOPE", "pre"));
        Matcher serving = relay.awaitServing();
        assertEquals("pre/", serving.group(4), serving.group());
        int port = Integer.parseInt(serving.group(3));
        assertTrue(serving.group().endsWith("ws://127.0.0.1:" + port + "/pre/<id>"), serving.group());

        URI uri = URI.create("ws://127.0.0.1:" + port + "/pre/x");
        try (RelayClient first = connect(relay, uri); RelayClient second = pair(relay, uri, first)) {
            second.send("scoped");
            first.expect("scoped");
        }
        assertThrows(IOException.class, () -> RelayClient.connect(URI.create("ws://127.0.0.1:" + port + "/x")).close(),
                "without the scope there is no endpoint");
    }

    @Test
    void help() throws Exception {
        for (String flag : new String[] {"--help", "-h"}) {
            Relay relay = start(Map.of(), flag);
            assertEquals(0, relay.awaitExit(), relay::describe);
            assertTrue(relay.stdoutText().startsWith("Usage: websocket-relay"), relay::describe);
            assertTrue(relay.stdoutText().contains("--port"), relay::describe);
            assertEquals(Options.help().lines().toList(), relay.stdoutText().lines().toList(),
                    "the jar prints the help that the README's table is checked against");
            assertEquals("", relay.stderrText(), relay::describe);
        }
    }

    @Test
    void version() throws Exception {
        for (String flag : new String[] {"--version", "-V"}) {
            Relay relay = start(Map.of(), flag);
            assertEquals(0, relay.awaitExit(), relay::describe);
            assertTrue(relay.stdoutText().startsWith("websocket-relay "), relay::describe);
            assertFalse(relay.stdoutText().contains("development"), relay::describe);
            assertEquals(1, relay.stdoutText().lines().count(), relay::describe);
        }
    }

    @Test
    void typoGetsASuggestionAndExits2() throws Exception {
        Relay relay = failing(2, "--max-mesage-bytes", "1000");
        assertTrue(relay.stderrText().contains("did you mean --max-message-bytes"), relay::describe);
        relay = failing(2, "ssl");
        assertTrue(relay.stderrText().contains("'ssl' takes"), relay::describe);
    }

    @Test
    void ioSettingsFromTheCommandLine() throws Exception {
        Relay relay = start(Map.of("RELAY_IO_STRATEGY", "same"), "-i", "127.0.0.1", "-p", "0", "--io-strategy",
                "worker", "--selector-threads", "2");
        Matcher serving = relay.awaitServing();
        URI uri = URI.create("ws://127.0.0.1:" + serving.group(3) + "/io-it");
        try (RelayClient first = connect(relay, uri); RelayClient second = pair(relay, uri, first)) {
            first.send("through a worker thread");
            second.expect("through a worker thread");
        }
        Relay bad = failing(2, "-i", "127.0.0.1", "-p", "0", "--io-strategy", "pool");
        assertTrue(bad.stderrText().contains("RELAY_IO_STRATEGY"), bad::describe);
    }

    @Test
    void unknownOptionExits2() throws Exception {
        Relay relay = failing(2, "-i", "127.0.0.1", "-p", "0", "--no-such-option");
        assertTrue(relay.stderrText().contains("--no-such-option"), relay::describe);
        assertTrue(relay.stderrText().contains("--help"), "points to --help: " + relay.describe());
    }

    @Test
    void badAddressExits2() throws Exception {
        Relay relay = failing(2, "-i", "999.1.1.1", "-p", "0");
        assertTrue(relay.stderrText().contains("999.1.1.1"), relay::describe);
        relay = failing(2, "-i", "example.com", "-p", "0");
        assertTrue(relay.stderrText().contains("example.com"), relay::describe);
    }

    @Test
    void badEnvironmentExits2() throws Exception {
        Relay relay = failing(2, Map.of("RELAY_PORT", "70000", "RELAY_IP", "127.0.0.1"));
        assertTrue(relay.stderrText().contains("70000"), relay::describe);
    }

    @Test
    void portInUseExits1() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            Relay relay = failing(1, "-i", "127.0.0.1", "-p", String.valueOf(port));
            assertTrue(relay.stderrText().contains(String.valueOf(port)), relay::describe);
            assertFalse(relay.stdoutText().contains("serving"), relay::describe);
        }
    }

    @Test
    void missingCertificateExits1() throws Exception {
        Relay relay = failing(1, "-i", "127.0.0.1", "-p", "0", "ssl", "/nonexistent.pem", "/nonexistent.key");
        assertTrue(relay.stderrText().contains("/nonexistent.pem"), relay::describe);
        assertFalse(relay.stdoutText().contains("serving"), relay::describe);
    }

    // ---- helpers ----

    /** Connects to the relay in {@code relay}, telling whether the process still runs when that fails. */
    private static RelayClient connect(Relay relay, URI uri) {
        try {
            return RelayClient.connect(uri);
        } catch (IOException e) {
            String state = relay.process.isAlive() ? "running" : "exited with " + relay.process.exitValue();
            throw new AssertionError("cannot connect to " + uri + " (the relay process " + state + "); "
                    + relay.describe(), e);
        }
    }

    private static RelayClient pair(Relay relay, URI uri, RelayClient first) {
        first.expect(Protocol.WAITING);
        RelayClient second = connect(relay, uri);
        second.expect(Protocol.CONNECTED);
        first.expect(Protocol.REMOTE_OPEN, Protocol.CONNECTED);
        return second;
    }

    private Relay failing(int exitCode, String... args) throws Exception {
        return failing(exitCode, Map.of(), args);
    }

    /** Runs the jar, which must exit with {@code exitCode} and one error line, without a stack trace. */
    private Relay failing(int exitCode, Map<String, String> environment, String... args) throws Exception {
        Relay relay = start(environment, args);
        assertEquals(exitCode, relay.awaitExit(), relay::describe);
        List<String> stderr = relay.stderrLines();
        assertFalse(stderr.isEmpty(), relay::describe);
        assertTrue(stderr.get(0).startsWith("websocket-relay: error:"), relay::describe);
        assertNoStackTrace(relay);
        return relay;
    }

    private static void assertNoStackTrace(Relay relay) {
        assertFalse(relay.stderrText().contains("Exception"), relay::describe);
        assertFalse(relay.stderrText().contains("\tat "), relay::describe);
    }

    private Relay start(Map<String, String> environment, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(java.toString(), "-jar", jar.toString()));
        command.addAll(List.of(args));
        // standard error goes to a file: Process.destroy() closes the pipes, and the last words come after it
        Path stderr = Files.createTempFile(dir, "stderr", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("RELAY_"));
        builder.environment().putAll(environment);
        Relay relay = new Relay(builder.start(), stderr, String.join(" ", args) + " " + environment);
        started.add(relay);
        return relay;
    }

    /** One process of the jar: its standard output read line by line as it comes, its standard error in a file. */
    private static final class Relay {

        final Process process;
        private final Path stderr;
        private final String description;
        private final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
        private final List<String> stdoutSeen = Collections.synchronizedList(new ArrayList<>());
        private final Thread stdoutReader;

        Relay(Process process, Path stderr, String description) {
            this.process = process;
            this.stderr = stderr;
            this.description = description;
            stdoutReader = new Thread(this::readStdout, "relay-" + process.pid() + "-stdout");
            stdoutReader.setDaemon(true);
            stdoutReader.start();
        }

        private void readStdout() {
            InputStream stream = process.getInputStream();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    stdoutSeen.add(line);
                    stdout.add(line);
                }
            } catch (IOException e) {
                // Process.destroy() closes the pipe: what was read is all there is
                stdoutSeen.add("(stdout: " + e.getMessage() + ")");
            }
        }

        /** @return the match of the "serving" line, waiting at most {@link #STARTUP} for it */
        Matcher awaitServing() throws InterruptedException {
            String line = awaitStdout(text -> text.contains("serving ws://") || text.contains("serving wss://"));
            Matcher matcher = SERVING.matcher(line);
            assertTrue(matcher.matches(), () -> "unexpected line '" + line + "'; " + describe());
            return matcher;
        }

        String awaitStdout(Predicate<String> wanted) throws InterruptedException {
            long deadline = System.nanoTime() + STARTUP.toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                String line = stdout.poll(Math.max(left, 0), TimeUnit.NANOSECONDS);
                if (line == null) {
                    fail("no such line within " + STARTUP + (process.isAlive() ? "" : " (exited)") + "; " + describe());
                }
                if (wanted.test(line)) {
                    return line;
                }
            }
        }

        /** @return the exit code, waiting at most {@link #EXIT} for the process and then for its output */
        int awaitExit() throws InterruptedException {
            assertTrue(process.waitFor(EXIT.toMillis(), TimeUnit.MILLISECONDS),
                    () -> "still running after " + EXIT + "; " + describe());
            stdoutReader.join(EXIT.toMillis());
            assertFalse(stdoutReader.isAlive(), () -> "standard output not closed; " + describe());
            return process.exitValue();
        }

        List<String> stderrLines() {
            try {
                return Files.readAllLines(stderr, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String stderrText() {
            return String.join("\n", stderrLines());
        }

        String stdoutText() {
            synchronized (stdoutSeen) {
                return String.join("\n", stdoutSeen);
            }
        }

        String describe() {
            return "websocket-relay " + description + "\n--- stdout:\n" + stdoutText() + "\n--- stderr:\n" + stderrText();
        }

        void kill() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(EXIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }
}
