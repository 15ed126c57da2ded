package io.websocketrelay.web;

import io.websocketrelay.monitor.Monitor;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** {@code GET /health} and {@code GET /metrics} of the relay in the WAR; the launcher serves the same text. */
@WebServlet(urlPatterns = {"/health", "/metrics"})
public class MonitorServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    transient Monitor monitor;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        boolean health = request.getServletPath().equals("/health");
        String body = health ? monitor.health() : monitor.metrics();
        response.setStatus(health ? monitor.healthStatus() : HttpServletResponse.SC_OK);
        response.setContentType(health ? Monitor.HEALTH_CONTENT_TYPE : Monitor.METRICS_CONTENT_TYPE);
        response.setHeader("Cache-Control", "no-store");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
