package io.websocketrelay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.websocketrelay.config.RelaySettings;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The page in a real browser: {@code src/test/browser/try-page.mjs} (a pair) and {@code try-room.mjs} (three pages in
 * a room) drive headless Chromium ({@code /usr/bin/chromium}) with playwright-core against an in-process relay under a
 * scope, and {@code relay-client.test.mjs} tests the JavaScript client module under Node. Without Chromium, Node or
 * {@code npm ci --prefix src/test/browser} the tests are skipped, except with {@code CI=true}, where they fail.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class BrowserIT {

    private static final Path BASE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    private static final Path SCRIPTS = BASE.resolve("src/test/browser");
    private static final Path OUTPUT = BASE.resolve("target/browser");
    private static final Path ROOM_OUTPUT = BASE.resolve("target/browser-room");
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    private static final long NODE_TIMEOUT_SECONDS = 180;

    @Test
    void twoPagesPairChatSendAFileAndTalkOverADataChannel() throws Exception {
        Run run = runInBrowser("try-page.mjs", OUTPUT);
        assertEquals(0, run.exit, run.output);
        assertTrue(run.output.strip().endsWith("browser test passed"), run.output);
        assertTrue(Files.size(OUTPUT.resolve("paired.png")) > 0, "screenshot of the paired page");
        assertTrue(Files.size(OUTPUT.resolve("webrtc.png")) > 0, "screenshot of the data channel chat");
    }

    @Test
    void threePagesInARoomSeeEachOtherBroadcastTextDirectlyAndShareAFile() throws Exception {
        Run run = runInBrowser("try-room.mjs", ROOM_OUTPUT);
        assertEquals(0, run.exit, run.output);
        assertTrue(run.output.strip().endsWith("browser test passed"), run.output);
        assertTrue(Files.size(ROOM_OUTPUT.resolve("room.png")) > 0, "screenshot of the room");
    }

    /** Runs a browser script against a relay under a scope with a token, writing into output. */
    private static Run runInBrowser(String script, Path output) throws Exception {
        Path node = requireNode();
        require(Files.isExecutable(CHROMIUM), CHROMIUM + " is missing: apt-get install -y chromium");
        require(Files.isDirectory(SCRIPTS.resolve("node_modules/playwright-core")),
                "playwright-core is missing: npm ci --prefix src/test/browser");
        // a scope and a token: the page must derive the relay URL from its own, and the share link carry the token
        RelaySettings settings = RelaySettings.of(Map.of(RelaySettings.TOKEN, "browser-secret"));
        try (RelayServer server = RelayServer.start(new Options("127.0.0.1", 0, "try", null, settings))) {
            String url = "http://127.0.0.1:" + server.port() + "/try/?token=browser-secret";
            String log = script.replace(".mjs", ".log");
            return run(List.of(node.toString(), script, url, output.toString()), log);
        }
    }

    @Test
    void javaScriptClientModule() throws Exception {
        Path node = requireNode();
        Run run = run(List.of(node.toString(), "--test", "relay-client.test.mjs"), "relay-client-test.log");
        assertEquals(0, run.exit, run.output);
        assertTrue(run.output.contains("# fail 0"), run.output);
    }

    private record Run(int exit, String output) { }

    /** Runs a command in {@link #SCRIPTS} with a bounded wait; it and everything it started are ended in any case. */
    private static Run run(List<String> command, String logName) throws IOException, InterruptedException {
        Files.createDirectories(OUTPUT.getParent());
        Path log = OUTPUT.getParent().resolve(logName);
        Process process = new ProcessBuilder(command).directory(SCRIPTS.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            boolean done = process.waitFor(NODE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (!done) {
                fail(command + " did not end within " + NODE_TIMEOUT_SECONDS + " s:\n" + output);
            }
            return new Run(process.exitValue(), output);
        } finally {
            List<ProcessHandle> started = process.descendants().toList();
            started.forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static Path requireNode() {
        Optional<Path> node = List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)).stream()
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "node"))
                .filter(Files::isExecutable)
                .findFirst();
        require(node.isPresent(), "node is not on the PATH (Node 20 or newer)");
        return node.get();
    }

    /** Skips the test when {@code ok} is false, or fails it when the environment variable CI is {@code true}. */
    private static void require(boolean ok, String message) {
        if (ok) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail(message + " (CI=true: the browser test must run)");
        }
        System.err.println("BrowserIT skipped: " + message);
        Assumptions.assumeTrue(false, "browser test skipped: " + message);
    }
}
