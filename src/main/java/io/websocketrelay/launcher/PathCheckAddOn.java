package io.websocketrelay.launcher;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpResponsePacket;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.http.util.Header;
import org.glassfish.grizzly.http.util.HttpStatus;
import org.glassfish.tyrus.container.grizzly.server.WebSocketAddOn;

/**
 * Answers 404 to an upgrade request whose path is not the scope followed by exactly one non-empty segment, as the
 * original does for {@code /}, {@code /a/b} and {@code /a/}. Tyrus alone would upgrade {@code /} with an empty id.
 * Register it after the {@link WebSocketAddOn}: it puts its filter in front of Tyrus's.
 */
final class PathCheckAddOn implements AddOn {

    private static final Logger LOG = Logger.getLogger(PathCheckAddOn.class.getName());

    private static final String TYRUS_FILTER = "org.glassfish.tyrus.container.grizzly.server.GrizzlyServerFilter";

    private final String prefix;

    /** @param contextPath {@code /} or {@code /scope} */
    PathCheckAddOn(String contextPath) {
        this.prefix = contextPath.endsWith("/") ? contextPath : contextPath + "/";
    }

    /** @return whether a raw request path names one id under the scope */
    boolean isRelayPath(String path) {
        if (!path.startsWith(prefix)) {
            return false;
        }
        String id = path.substring(prefix.length());
        return !id.isEmpty() && id.indexOf('/') < 0;
    }

    @Override
    public void setup(NetworkListener listener, FilterChainBuilder builder) {
        int webSocket;
        try {
            webSocket = builder.indexOfType(Class.forName(TYRUS_FILTER).asSubclass(BaseFilter.class));
        } catch (ClassNotFoundException e) {
            webSocket = -1;
        }
        if (webSocket < 0) {
            throw new IllegalStateException("register the path check after Tyrus's WebSocketAddOn");
        }
        builder.add(webSocket, new Filter());
    }

    private final class Filter extends BaseFilter {

        @Override
        public NextAction handleRead(FilterChainContext ctx) throws IOException {
            if (ctx.getMessage() instanceof HttpContent content
                    && content.getHttpHeader() instanceof HttpRequestPacket request
                    && "websocket".equalsIgnoreCase(request.getUpgrade()) && !isRelayPath(request.getRequestURI())) {
                LOG.log(Level.FINE, "Refused an upgrade of {0}: not one id", request.getRequestURI());
                HttpResponsePacket response = request.getResponse();
                response.setStatus(HttpStatus.NOT_FOUND_404);
                response.setContentLength(0);
                response.setHeader(Header.Connection, "close");
                ctx.write(HttpContent.builder(response).last(true).build());
                ctx.getConnection().closeSilently();
                return ctx.getStopAction();
            }
            return ctx.getInvokeAction();
        }
    }
}
