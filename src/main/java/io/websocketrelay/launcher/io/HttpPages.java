package io.websocketrelay.launcher.io;

import io.websocketrelay.monitor.Monitor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.glassfish.grizzly.http.Method;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.glassfish.grizzly.http.util.HttpStatus;

/**
 * The plain HTTP side of the standalone relay: {@code /health}, {@code /metrics}, and the page with its scripts,
 * read from {@code webapp/} on the class path (the WAR serves the same files from its root). Everything is
 * available at the root and under the scope. Upgrade requests never reach it.
 */
public final class HttpPages extends HttpHandler {

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "mjs", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "png", "image/png",
            "svg", "image/svg+xml",
            "ico", "image/x-icon",
            "json", "application/json");

    private final Monitor monitor;
    private final String scope;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();

    /** @param contextPath {@code /} or {@code /scope} */
    public HttpPages(Monitor monitor, String contextPath) {
        this.monitor = monitor;
        this.scope = contextPath.equals("/") ? "" : contextPath;
    }

    @Override
    public void service(Request request, Response response) throws IOException {
        String path = request.getRequestURI();
        if (!scope.isEmpty() && (path.equals(scope) || path.startsWith(scope + "/"))) {
            path = path.substring(scope.length());
        }
        if (path.isEmpty() || path.equals("/")) {
            path = "/index.html";
        }
        boolean head = request.getMethod() == Method.HEAD;
        if (request.getMethod() != Method.GET && !head) {
            response.setHeader("Allow", "GET, HEAD");
            send(response, HttpStatus.METHOD_NOT_ALLOWED_405.getStatusCode(), "text/plain; charset=utf-8",
                    "GET or HEAD only\n", head);
            return;
        }
        switch (path) {
            case "/health" -> send(response, monitor.healthStatus(), Monitor.HEALTH_CONTENT_TYPE,
                    monitor.health(), head);
            case "/metrics" -> send(response, 200, Monitor.METRICS_CONTENT_TYPE, monitor.metrics(), head);
            default -> file(path, response, head);
        }
    }

    private void file(String path, Response response, boolean head) throws IOException {
        String name = path.substring(1);
        int dot = name.lastIndexOf('.');
        String type = dot < 0 ? null : TYPES.get(name.substring(dot + 1));
        byte[] body = type == null || name.contains("..") || name.startsWith("WEB-INF") ? null : read(name);
        if (body == null) {
            send(response, 404, "text/plain; charset=utf-8", "not found\n", head);
            return;
        }
        response.setStatus(200);
        response.setContentType(type);
        response.setHeader("Cache-Control", "no-cache");
        response.setContentLength(body.length);
        if (!head) {
            response.getOutputStream().write(body);
        }
    }

    private byte[] read(String name) throws IOException {
        byte[] cached = files.get(name);
        if (cached != null) {
            return cached;
        }
        try (InputStream in = HttpPages.class.getClassLoader().getResourceAsStream("webapp/" + name)) {
            if (in == null) {
                return null;
            }
            byte[] body = in.readAllBytes();
            files.put(name, body);
            return body;
        }
    }

    private static void send(Response response, int status, String type, String text, boolean head) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType(type);
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(body.length);
        if (!head) {
            response.getOutputStream().write(body);
        }
    }
}
