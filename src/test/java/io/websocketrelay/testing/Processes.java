package io.websocketrelay.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What {@link RedisServer}, {@link RelayNode} and {@link HaProxy} share: signals to one child process by its PID
 * (through {@code /bin/kill}), free loopback ports, a connect probe and the tail of a log file. Stateless; every
 * method may be called from any thread.
 */
final class Processes {

    /** How long a process may take to end after SIGKILL, or {@code kill} itself to run. */
    static final Duration EXIT = Duration.ofSeconds(10);
    /** Pause between two looks at a condition that is polled. */
    static final long POLL_MILLIS = 50;

    private Processes() {
    }

    /**
     * Sends {@code signal} to {@code process} with {@code kill -SIGNAL <pid>}, unless it has already ended.
     *
     * @param process a process this harness started
     * @param signal  a signal name for kill, e.g. {@code STOP}, {@code CONT}, {@code TERM}, {@code 9}
     * @throws IOException when kill failed and the process still runs
     */
    static void signal(Process process, String signal) throws IOException, InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .redirectErrorStream(true)
                .start();
        String output;
        try (var in = kill.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        if (!kill.waitFor(EXIT.toMillis(), TimeUnit.MILLISECONDS)) {
            kill.destroyForcibly();
            throw new IOException("kill -" + signal + " " + process.pid() + " did not end within " + EXIT);
        }
        if (kill.exitValue() != 0 && process.isAlive()) {
            throw new IOException("kill -" + signal + " " + process.pid() + " exited with " + kill.exitValue()
                    + ": " + output);
        }
    }

    /**
     * Sends SIGKILL to {@code process} and waits for it to end.
     *
     * @throws IOException when it still runs {@link #EXIT} later
     */
    static void kill9(Process process, String what) throws IOException, InterruptedException {
        signal(process, "9");
        if (!process.waitFor(EXIT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IOException(what + " (pid " + process.pid() + ") still runs " + EXIT + " after SIGKILL");
        }
    }

    /**
     * @return the one-letter state of a process from {@code /proc/<pid>/stat} ({@code R}, {@code S}, {@code T} for
     *         stopped, ...), or {@code ?} when it has gone
     */
    static char state(long pid) throws IOException {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return '?';
        }
        // "pid (comm) S ...": comm may hold spaces and parentheses, the state follows the last ')'
        int close = stat.lastIndexOf(')');
        if (close < 0 || close + 2 >= stat.length()) {
            throw new IOException("unexpected /proc/" + pid + "/stat: " + stat);
        }
        return stat.charAt(close + 2);
    }

    /** @return a port on 127.0.0.1 that was free a moment ago */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** @return whether 127.0.0.1:{@code port} accepts a TCP connection within half a second */
    static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** @return the last {@code lines} lines of {@code file} under a heading, or why it cannot be read */
    static String tail(Path file, int lines) {
        try {
            // decoded leniently: a log cut in the middle of a character still shows
            List<String> all = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
            List<String> last = all.subList(Math.max(0, all.size() - lines), all.size());
            return "--- " + file + (last.size() < all.size() ? " (last " + lines + " lines)" : "") + ":\n"
                    + String.join("\n", last) + "\n";
        } catch (IOException e) {
            return "--- " + file + ": " + e + "\n";
        }
    }
}
