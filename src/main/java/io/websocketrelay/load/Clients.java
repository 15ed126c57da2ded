package io.websocketrelay.load;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.DeploymentException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;

/**
 * Opens load-tool connections on tyrus-client, all on one shared Grizzly transport, optionally from a chosen
 * loopback source address (when one address runs out of ports).
 */
final class Clients {

    /** The largest message a connection takes: the relay's default limit. */
    static final int MAX_MESSAGE = 64 * 1024;
    /** Tyrus's incoming buffer per connection: two largest frames, not its 4 MiB default. */
    private static final int INCOMING_BUFFER = 2 * MAX_MESSAGE + 64;

    private final String base;
    private final int timeoutMillis;
    private final Map<InetAddress, ClientManager> managers = new ConcurrentHashMap<>();
    private final ClientManager plain;

    /**
     * @param base          {@code ws://HOST:PORT/} or with a scope; the host must be a loopback address
     * @param timeoutMillis handshake timeout
     */
    Clients(String base, int timeoutMillis) {
        this.base = base.endsWith("/") ? base : base + "/";
        this.timeoutMillis = timeoutMillis;
        requireLoopback(URI.create(this.base));
        this.plain = manager(null);
    }

    /** Refuses any target but a loopback address: the tool is not for loading other machines. */
    static void requireLoopback(URI uri) {
        if (!"ws".equals(uri.getScheme()) && !"wss".equals(uri.getScheme())) {
            throw new IllegalArgumentException("the URL must be ws:// or wss://: " + uri);
        }
        try {
            if (uri.getHost() == null || !InetAddress.getByName(uri.getHost()).isLoopbackAddress()) {
                throw new IllegalArgumentException("only loopback targets (127.0.0.0/8, ::1) are allowed: " + uri);
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown host in " + uri, e);
        }
    }

    private ClientManager manager(InetAddress source) {
        ClientManager manager = ClientManager.createClient();
        Map<String, Object> properties = manager.getProperties();
        properties.put(ClientProperties.SHARED_CONTAINER, true);
        properties.put(ClientProperties.SHARED_CONTAINER_IDLE_TIMEOUT, 5);
        properties.put(ClientProperties.INCOMING_BUFFER_SIZE, INCOMING_BUFFER);
        properties.put(ClientProperties.HANDSHAKE_TIMEOUT, timeoutMillis);
        if (source != null) {
            properties.put(ClientProperties.SOCKET_BINDING, source);
        }
        return manager;
    }

    /** Connects {@code conn} to the relay at {@code id}, from {@code source} or the system's choice. */
    Conn open(Conn conn, String id, InetAddress source) throws IOException {
        ClientManager manager = source == null ? plain : managers.computeIfAbsent(source, this::manager);
        return connect(manager, conn, URI.create(base + URLEncoder.encode(id, StandardCharsets.UTF_8)));
    }

    /** Connects {@code conn} to room {@code roomId} of the relay, at {@code room/<id>} under the base. */
    Conn openRoom(Conn conn, String roomId) throws IOException {
        return connect(plain, conn, URI.create(base + "room/" + URLEncoder.encode(roomId, StandardCharsets.UTF_8)));
    }

    private Conn connect(ClientManager manager, Conn conn, URI uri) throws IOException {
        try {
            manager.connectToServer(conn, ClientEndpointConfig.Builder.create().build(), uri);
        } catch (DeploymentException e) {
            throw new IOException("cannot connect to " + uri + ": " + e.getMessage(), e);
        }
        return conn;
    }

    /**
     * The source address of connection number {@code index}: none while one address has ports enough, else the
     * addresses of {@code sources} in turn, {@code perAddress} connections each.
     */
    static InetAddress source(List<InetAddress> sources, int perAddress, int index, int total) {
        if (sources.isEmpty() || sources.size() == 1 && total <= perAddress) {
            return null;
        }
        int slot = index / perAddress;
        if (slot >= sources.size()) {
            throw new IllegalArgumentException("connection " + index + " needs more than " + sources.size()
                    + " source addresses at " + perAddress + " each");
        }
        return sources.get(slot);
    }
}
