package io.websocketrelay.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Answers 404 to a WebSocket upgrade whose path within the application is not exactly one non-empty segment, as
 * the standalone launcher and the original do for {@code /}, {@code /a/b} and {@code /a/}. Some containers would
 * otherwise upgrade {@code /} with an empty id (WildFly, GlassFish, Payara) or {@code /a/} as the id {@code a}
 * (Open Liberty). Other requests pass untouched.
 */
@WebFilter(filterName = "relay-upgrade-path", urlPatterns = "/*", asyncSupported = true)
public class UpgradePathFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(UpgradePathFilter.class.getName());

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (isWebSocketUpgrade(request) && !isOneSegment(pathInApplication(request))) {
            LOG.log(Level.FINE, "Refused an upgrade of {0}: not one id", request.getRequestURI());
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        chain.doFilter(request, response);
    }

    /** @return whether the request asks to upgrade to the WebSocket protocol */
    static boolean isWebSocketUpgrade(HttpServletRequest request) {
        String upgrade = request.getHeader("Upgrade");
        return upgrade != null && upgrade.trim().equalsIgnoreCase("websocket");
    }

    /** @return the raw (not decoded) request path after the context path, e.g. {@code /abc} */
    static String pathInApplication(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        return uri.startsWith(context) ? uri.substring(context.length()) : uri;
    }

    /**
     * @param path a raw path within the application
     * @return whether it is {@code /} followed by one non-empty segment with no further {@code /}
     */
    static boolean isOneSegment(String path) {
        return path.length() > 1 && path.charAt(0) == '/' && path.indexOf('/', 1) < 0;
    }
}
