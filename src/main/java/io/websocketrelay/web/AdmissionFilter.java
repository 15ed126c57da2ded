package io.websocketrelay.web;

import io.websocketrelay.admission.Admission;
import io.websocketrelay.config.RelaySettings;
import io.websocketrelay.core.RelayStats;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Asks {@link Admission} about every WebSocket upgrade to the WAR before the container performs it, and answers a
 * refusal with its HTTP status: a method other than GET (405, RFC 6455 4.1), a path that is not one id (404; some
 * containers would upgrade {@code /} or {@code /a/}), an origin outside the allow-list (403), a missing or wrong token (401/403), too many new connections
 * from one address (429). The per-address connection count is not applied here: a filter does not learn when the
 * WebSocket ends. The address limited and logged is the client's: the peer's, or what a trusted proxy forwarded.
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class AdmissionFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(AdmissionFilter.class.getName());

    @Inject
    transient RelaySettings settings;
    @Inject
    transient RelayStats stats;

    private transient Admission admission;

    @Override
    public void init() {
        admission = new Admission(settings);
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            chain.doFilter(request, response);
            return;
        }
        String path = request.getRequestURI().substring(request.getContextPath().length());
        String address = admission.clientAddress(request.getRemoteAddr(),
                Collections.list(request.getHeaders("X-Forwarded-For")), Collections.list(request.getHeaders("Forwarded")));
        Admission.Refusal refusal = Admission.method(request.getMethod());
        if (refusal == null) {
            refusal = admission.check(path, request.getQueryString(), request.getHeader("Origin"),
                    request.getHeader("Sec-WebSocket-Protocol"), address, false);
        }
        if (refusal == null) {
            chain.doFilter(request, response);
            return;
        }
        stats.handshakeRefused(refusal.label());
        LOG.log(refusal.status() == 404 ? Level.FINE : Level.INFO, "Refused a handshake from {0} with {1}: {2}",
                new Object[] {address, refusal.status(), refusal.reason()});
        if (refusal == Admission.NOT_GET) {
            response.setHeader("Allow", "GET");
        }
        response.sendError(refusal.status(), refusal.reason());
    }
}
