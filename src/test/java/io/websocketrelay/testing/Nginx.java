package io.websocketrelay.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx, run by a test as its own process in the foreground ({@code daemon off}, one process), with
 * everything it writes (pid, logs, temp files) in one directory. It serves the shipped
 * {@code server-config/nginx/websocket-relay.conf} with its listen ports, certificate and upstream replaced by the
 * test's own on 127.0.0.1.
 */
public final class Nginx implements AutoCloseable {

    private static final long START_TIMEOUT_MILLIS = 20_000;

    private final Process process;
    private final Path dir;
    private final int plainPort;
    private final int tlsPort;

    private Nginx(Process process, Path dir, int plainPort, int tlsPort) {
        this.process = process;
        this.dir = dir;
        this.plainPort = plainPort;
        this.tlsPort = tlsPort;
    }

    /**
     * @param binary   the nginx binary, e.g. {@code /usr/sbin/nginx}
     * @param shipped  the shipped configuration file
     * @param dir      an empty directory for nginx's files
     * @param upstream the relay's port on 127.0.0.1
     * @param cert     the PEM certificate for TLS
     * @param key      its PEM private key
     * @return nginx, listening on a plain and a TLS port
     * @throws IOException when nginx did not start, with its error log
     */
    public static Nginx start(Path binary, Path shipped, Path dir, int upstream, Path cert, Path key)
            throws IOException, InterruptedException {
        int plainPort = freePort();
        int tlsPort = freePort();
        String site = Files.readString(shipped, StandardCharsets.UTF_8);
        Map<String, String> replacements = Map.of(
                "    listen 80;\n", "    listen 127.0.0.1:" + plainPort + ";\n",
                "    listen [::]:80;\n", "",
                "    listen 443 ssl;\n", "    listen 127.0.0.1:" + tlsPort + " ssl;\n",
                "    listen [::]:443 ssl;\n", "",
                "server 127.0.0.1:8080;", "server 127.0.0.1:" + upstream + ";",
                "/etc/ssl/certs/relay.example.com.pem;", cert.toAbsolutePath() + ";",
                "/etc/ssl/private/relay.example.com.key;", key.toAbsolutePath() + ";");
        for (Map.Entry<String, String> replacement : replacements.entrySet()) {
            if (!site.contains(replacement.getKey())) {
                throw new IOException(shipped + " has no '" + replacement.getKey().strip() + "' to replace");
            }
            site = site.replace(replacement.getKey(), replacement.getValue());
        }
        Files.createDirectories(dir.resolve("tmp"));
        Path siteFile = Files.writeString(dir.resolve("websocket-relay.conf"), site, StandardCharsets.UTF_8);
        String d = dir.toAbsolutePath().toString();
        String main = "worker_processes 1;\n"
                + "master_process off;\n"
                + "pid " + d + "/nginx.pid;\n"
                + "error_log " + d + "/error.log info;\n"
                + "events { worker_connections 256; }\n"
                + "http {\n"
                + "    access_log " + d + "/access.log;\n"
                + "    client_body_temp_path " + d + "/tmp/client_body;\n"
                + "    proxy_temp_path " + d + "/tmp/proxy;\n"
                + "    fastcgi_temp_path " + d + "/tmp/fastcgi;\n"
                + "    uwsgi_temp_path " + d + "/tmp/uwsgi;\n"
                + "    scgi_temp_path " + d + "/tmp/scgi;\n"
                + "    include " + siteFile.toAbsolutePath() + ";\n"
                + "}\n";
        Path conf = Files.writeString(dir.resolve("nginx.conf"), main, StandardCharsets.UTF_8);
        Process process = new ProcessBuilder(binary.toString(), "-p", d, "-c", conf.toString(), "-e",
                d + "/error.log", "-g", "daemon off;")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("nginx.out").toFile())
                .start();
        Nginx nginx = new Nginx(process, dir, plainPort, tlsPort);
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        while (!(accepts(plainPort) && accepts(tlsPort))) {
            if (!process.isAlive() || System.currentTimeMillis() > deadline) {
                nginx.close();
                throw new IOException("nginx did not start within " + START_TIMEOUT_MILLIS + " ms: " + nginx.log());
            }
            process.waitFor(50, TimeUnit.MILLISECONDS);
        }
        return nginx;
    }

    public int plainPort() {
        return plainPort;
    }

    public int tlsPort() {
        return tlsPort;
    }

    /** @return nginx's output and error log, for a failure message */
    public String log() {
        StringBuilder log = new StringBuilder();
        for (String name : new String[] {"nginx.out", "error.log"}) {
            try {
                log.append('\n').append(name).append(":\n").append(Files.readString(dir.resolve(name)));
            } catch (IOException e) {
                log.append('\n').append(name).append(": ").append(e.getMessage());
            }
        }
        return log.toString();
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Stops nginx (SIGTERM, then SIGKILL after 10 s) and waits for it to end. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
