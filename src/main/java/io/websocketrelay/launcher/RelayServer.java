package io.websocketrelay.launcher;

import io.websocketrelay.admission.Admission;
import io.websocketrelay.config.RelaySettings;
import io.websocketrelay.core.Pairs;
import io.websocketrelay.cluster.Cluster;
import io.websocketrelay.cluster.MatchmakerProducer;
import io.websocketrelay.core.Registry;
import io.websocketrelay.core.RelayStats;
import io.websocketrelay.core.Rooms;
import io.websocketrelay.core.StatsProducer;
import io.websocketrelay.endpoint.RelayEndpoint;
import io.websocketrelay.endpoint.RoomEndpoint;
import io.websocketrelay.launcher.io.HandshakeGate;
import io.websocketrelay.launcher.io.HttpPages;
import io.websocketrelay.launcher.io.IoTuning;
import io.websocketrelay.monitor.Monitor;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.net.BindException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.ssl.SSLEngineConfigurator;
import org.glassfish.tyrus.core.TyrusWebSocketEngine;
import org.glassfish.tyrus.server.TyrusServerContainer;
import org.glassfish.tyrus.spi.WebSocketEngine;
import org.jboss.weld.config.ConfigurationKey;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

/**
 * A running standalone relay: Weld SE for CDI, and Tyrus's WebSocket engine on a Grizzly {@link HttpServer} of our
 * own (Tyrus's {@code Server} can bind no address of choice and has no TLS).
 *
 * <p>{@link #start} is the only place where the relay is wired; {@link Launcher#main} and the tests use it.
 * {@link #close()} closes every session with 1001, then stops the server, then Weld.
 */
public final class RelayServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RelayServer.class.getName());
    /**
     * Weld's switch (a system property only) for validating beans.xml files against their schemas; building the
     * validator alone loads some 300 XML classes and parses the CDI schemas, and the launcher reads no beans.xml.
     */
    static final String WELD_XML_VALIDATION_OFF = "org.jboss.weld.xml.disableValidating";

    /**
     * Tyrus's incoming buffer holds what one read brings plus an incomplete frame; a frame that does not fit in it
     * closes the connection (the endpoint turns that into 1009). One read may bring more than one largest message,
     * so the buffer is Tyrus's default or twice the largest frame, whichever is more.
     */
    static int incomingBufferBytes(int maxMessageBytes) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(4L * 1024 * 1024 + 11, 2L * maxMessageBytes + 14));
    }

    private final Options options;
    private final WeldContainer weld;
    private final Container container;
    private final HttpServer http;
    private final NetworkListener listener;
    private final Registry registry;
    private final Pairs pairs;
    private final RelayStats stats;
    private final ScheduledExecutorService timer;
    private boolean closed;

    private RelayServer(Options options, WeldContainer weld, Container container, HttpServer http,
            NetworkListener listener, ScheduledExecutorService timer) {
        this.timer = timer;
        this.options = options;
        this.weld = weld;
        this.container = container;
        this.http = http;
        this.listener = listener;
        this.registry = weld.select(Registry.class).get();
        this.pairs = weld.select(Pairs.class).get();
        this.stats = weld.select(RelayStats.class).get();
    }

    /**
     * Starts a relay.
     *
     * @param options where to listen and with which limits
     * @return the running relay; {@link #port()} tells the port bound
     * @throws StartupException in one line when it cannot start (TLS files, address, port in use)
     */
    public static RelayServer start(Options options) throws StartupException {
        SSLContext tls = options.tls() == null ? null : Tls.context(options.tls());
        // no beans.xml is read (no discovery), so Weld need not compile the beans.xml schemas to validate one
        System.getProperties().putIfAbsent(WELD_XML_VALIDATION_OFF, "true");
        WeldContainer weld = new Weld("websocket-relay-" + System.identityHashCode(options))
                .disableDiscovery()
                .skipShutdownHook()
                .property(ConfigurationKey.CONCURRENT_DEPLOYMENT.get(), false)
                .property(ConfigurationKey.PRELOADER_THREAD_POOL_SIZE.get(), 0)
                .property(ConfigurationKey.EXECUTOR_THREAD_POOL_TYPE.get(), "NONE")
                .beanClasses(StatsProducer.class, Registry.class, Cluster.class, MatchmakerProducer.class, Pairs.class,
                        Rooms.class, Monitor.class, RelayEndpoint.class, RoomEndpoint.class)
                .addExtension(new SettingsExtension(options.settings()))
                .initialize();
        Container container = null;
        HttpServer http = new HttpServer();
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "relay-timer");
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
        try {
            container = new Container(options.contextPath(), incomingBufferBytes(options.settings().maxMessageBytes()));
            container.addEndpoint(RelayEndpoint.class);
            container.addEndpoint(RoomEndpoint.class);
            NetworkListener listener = new NetworkListener("relay", options.host(), options.port());
            options.io().applyTo(listener.getTransport());
            listener.getKeepAlive().setIdleTimeoutInSeconds(-1);
            if (tls != null) {
                SSLEngineConfigurator engine = new SSLEngineConfigurator(tls, false, false, false);
                engine.setEnabledProtocols(Tls.PROTOCOLS.toArray(String[]::new));
                engine.setEnabledCipherSuites(Tls.cipherSuites(tls));
                listener.setSecure(true);
                listener.setSSLEngineConfig(engine);
            }
            listener.registerAddOn(new HandshakeGate(options.contextPath(), new Admission(options.settings()),
                    weld.select(RelayStats.class).get(), options.settings(), timer, container.getWebSocketEngine(),
                    tls != null));
            http.addListener(listener);
            http.getServerConfiguration().addHttpHandler(new HttpPages(weld.select(Monitor.class).get(),
                    options.contextPath()), "/");
            http.start();
            container.start(options.contextPath(), listener.getPort());
            RelayServer server = new RelayServer(options, weld, container, http, listener, timer);
            LOG.log(Level.FINE, "websocket-relay serving {0}", server.url());
            return server;
        } catch (BindException e) {
            timer.shutdownNow();
            stopQuietly(http, container, weld);
            throw new StartupException("cannot listen on " + options.host() + " port " + options.port() + ": "
                    + e.getMessage(), StartupException.FAILURE, e);
        } catch (IOException | DeploymentException | RuntimeException e) {
            timer.shutdownNow();
            stopQuietly(http, container, weld);
            throw new StartupException("cannot start the relay on " + options.host() + " port " + options.port()
                    + ": " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()),
                    StartupException.FAILURE, e);
        }
    }

    /** @return the port bound, useful when {@link Options#port()} was 0 */
    public int port() {
        return listener.getPort();
    }

    /** @return the URL clients connect to, e.g. {@code ws://127.0.0.1:8080/<id>} */
    public String url() {
        return options.url(port());
    }

    /** @return the registry of this relay's connections */
    public Registry registry() {
        return registry;
    }

    /** @return the pair protocol's bean */
    public Pairs pairs() {
        return pairs;
    }

    /** @return the relay's counters */
    public RelayStats stats() {
        return stats;
    }

    /** @return the limits this relay applies */
    public RelaySettings settings() {
        return options.settings();
    }

    /**
     * Stops the relay: closes every session with 1001 (going away) after what was queued for it, waits up to the
     * shutdown grace for them to go, then stops the server (dropping what is left) and Weld. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        registry.shutdown();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.settings().shutdownGraceMillis());
        while (registry.connections() > 0 && System.nanoTime() < deadline) {
            try {
                wait(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        timer.shutdownNow();
        stopQuietly(http, container, weld);
    }

    private static void stopQuietly(HttpServer http, Container container, WeldContainer weld) {
        try {
            http.shutdownNow();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "Stopping the HTTP server failed", e);
        }
        if (container != null) {
            container.stop();
        }
        if (weld.isRunning()) {
            weld.shutdown();
        }
    }

    /** Tyrus's server container with the relay's endpoint and incoming buffer, without a server of its own. */
    private static final class Container extends TyrusServerContainer {

        private final String contextPath;
        private final TyrusWebSocketEngine engine;

        Container(String contextPath, int incomingBufferSize) {
            super((Set<Class<?>>) null);
            this.contextPath = contextPath;
            this.engine = TyrusWebSocketEngine.builder(this).incomingBufferSize(incomingBufferSize).build();
        }

        @Override
        public void register(Class<?> endpointClass) throws DeploymentException {
            engine.register(endpointClass, contextPath);
        }

        @Override
        public void register(ServerEndpointConfig serverEndpointConfig) throws DeploymentException {
            engine.register(serverEndpointConfig, contextPath);
        }

        @Override
        public WebSocketEngine getWebSocketEngine() {
            return engine;
        }

        /**
         * No idle timeout, said as -1 from the start: with Tyrus's default a new session schedules an idle task on
         * a shared timer (a task kept per open connection, measured with a class histogram), which the endpoint's
         * own -1 then only cancels. The relay has its own idle timeout ({@code idle-timeout-ms}).
         */
        @Override
        public long getDefaultMaxSessionIdleTimeout() {
            return -1;
        }

        @Override
        public Map<String, Object> getProperties() {
            return Map.of();
        }
    }
}
