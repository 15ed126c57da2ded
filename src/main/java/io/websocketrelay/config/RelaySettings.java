package io.websocketrelay.config;

import io.websocketrelay.admission.Tokens;
import io.websocketrelay.admission.TrustedProxies;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * The relay's limits and checks, the same in the standalone launcher and on an application server. Each is a
 * {@link Key} below, documented where it is defined; {@code 0} turns a limit off where that is allowed.
 *
 * @param maxMessageBytes              see {@link #MAX_MESSAGE_BYTES}
 * @param sendBufferBytes              see {@link #SEND_BUFFER_BYTES}
 * @param maxIdBytes                   see {@link #MAX_ID_BYTES}
 * @param idPattern                    see {@link #ID_PATTERN}; {@code null} for any id
 * @param pingIntervalMillis           see {@link #PING_INTERVAL_MS}
 * @param idleTimeoutMillis            see {@link #IDLE_TIMEOUT_MS}
 * @param maxConnections               see {@link #MAX_CONNECTIONS}
 * @param maxConnectionsPerAddress     see {@link #MAX_CONNECTIONS_PER_ADDRESS}
 * @param connectionsPerSecondPerAddress see {@link #CONNECTIONS_PER_SECOND_PER_ADDRESS}
 * @param messagesPerSecond            see {@link #MESSAGES_PER_SECOND}
 * @param bytesPerSecond               see {@link #BYTES_PER_SECOND}
 * @param allowedOrigins               see {@link #ALLOWED_ORIGINS}; empty for any origin
 * @param token                        see {@link #TOKEN}; empty for none
 * @param jwtHmacKey                   see {@link #JWT_HMAC_KEY}; empty for none
 * @param jwtPublicKey                 see {@link #JWT_PUBLIC_KEY}; empty for none
 * @param jwtAudience                  see {@link #JWT_AUDIENCE}; empty for any
 * @param jwtIssuer                    see {@link #JWT_ISSUER}; empty for any
 * @param trustedProxies               see {@link #TRUSTED_PROXIES}
 * @param handshakeTimeoutMillis       see {@link #HANDSHAKE_TIMEOUT_MS}
 * @param shutdownGraceMillis          see {@link #SHUTDOWN_GRACE_MS}
 * @param roomCapacity                 see {@link #ROOM_CAPACITY}
 * @param redisUrl                     see {@link #REDIS_URL}; empty for a relay of one node
 * @param nodeTimeoutMillis            see {@link #NODE_TIMEOUT_MS}
 * @param clusterName                  see {@link #CLUSTER_NAME}
 */
public record RelaySettings(int maxMessageBytes, long sendBufferBytes, int maxIdBytes, Pattern idPattern,
        long pingIntervalMillis, long idleTimeoutMillis, int maxConnections, int maxConnectionsPerAddress,
        int connectionsPerSecondPerAddress, int messagesPerSecond, long bytesPerSecond, Set<String> allowedOrigins,
        String token, String jwtHmacKey, String jwtPublicKey, String jwtAudience, String jwtIssuer,
        TrustedProxies trustedProxies, long handshakeTimeoutMillis, long shutdownGraceMillis, int roomCapacity,
        String redisUrl, long nodeTimeoutMillis, String clusterName) {

    /** Largest message a client may send: UTF-8 bytes of text; larger closes the sender with 1009. */
    public static final Key MAX_MESSAGE_BYTES = new Key("relay.max-message-bytes", "65536",
            "largest message a client may send (UTF-8 bytes of text); larger closes it with 1009");

    /** Bytes queued for one receiver that does not read (UTF-8 bytes of text); past it, close 1008. */
    public static final Key SEND_BUFFER_BYTES = new Key("relay.send-buffer-bytes", "1048576",
            "bytes (UTF-8 bytes of text) queued for a receiver that does not read; past it the receiver is closed"
                    + " with 1008");

    /** Longest id, in UTF-8 bytes after percent-decoding; a longer one is closed with 1008 at once. */
    public static final Key MAX_ID_BYTES = new Key("relay.max-id-bytes", "128",
            "longest id, in bytes after percent-decoding; longer is closed with 1008");

    /** A regular expression every id must match as a whole, e.g. {@code [A-Za-z0-9_-]{16,64}}; empty for any. */
    public static final Key ID_PATTERN = new Key("relay.id-pattern", "",
            "regular expression every id must match as a whole; others are closed with 1008; empty = any");

    /** The server pings every connection this often and closes with 1001 one that has not answered the last ping. */
    public static final Key PING_INTERVAL_MS = new Key("relay.ping-interval-ms", "30000",
            "ping every connection this often (ms); one that has not answered by the next ping is closed with"
                    + " 1001; 0 = off");

    /** A connection that sends no message for this long is closed with 1001; 0 turns it off. */
    public static final Key IDLE_TIMEOUT_MS = new Key("relay.idle-timeout-ms", "0",
            "close with 1001 a connection that sends no message for this long (ms); 0 = off");

    /** Most open connections; one more is closed with 1013 (try again later) right after it opens. */
    public static final Key MAX_CONNECTIONS = new Key("relay.max-connections", "100000",
            "most open connections; one more is closed with 1013 right after it opens");

    /** Most open connections from one client address (launcher only); more are refused with HTTP 503. 0 = off. */
    public static final Key MAX_CONNECTIONS_PER_ADDRESS = new Key("relay.max-connections-per-address", "0",
            "most open connections from one client address; more get HTTP 503 (launcher only); 0 = off");

    /** Most new connections per second from one client address; more are refused with HTTP 429. 0 = off. */
    public static final Key CONNECTIONS_PER_SECOND_PER_ADDRESS = new Key("relay.connections-per-second-per-address",
            "0", "most new connections per second from one address (a second's burst); more get HTTP 429; 0 = off");

    /** Messages per second one connection may send (token bucket, a second's worth of burst); over it, 1008. */
    public static final Key MESSAGES_PER_SECOND = new Key("relay.messages-per-second", "0",
            "messages per second one connection may send (token bucket, a second's burst); over it, close 1008;"
                    + " 0 = off");

    /** Bytes per second one connection may send (token bucket, a second's worth of burst); over it, 1008. */
    public static final Key BYTES_PER_SECOND = new Key("relay.bytes-per-second", "0",
            "bytes per second one connection may send (token bucket, a second's burst); over it, close 1008;"
                    + " 0 = off");

    /** Comma-separated {@code Origin} values allowed to connect, e.g. {@code https://app.example}; empty for any. */
    public static final Key ALLOWED_ORIGINS = new Key("relay.allowed-origins", "",
            "comma-separated Origin values allowed to connect; others get HTTP 403; empty = any");

    /** A shared secret every client must present as {@code ?token=} or a subprotocol {@code token.<secret>}. */
    public static final Key TOKEN = new Key("relay.token", "",
            "shared secret every client must present as ?token= or subprotocol token.<secret>; empty = none");

    /** The shared key (32 bytes or more) of HS256 JWTs (RFC 7519), accepted beside {@link #TOKEN}; see {@link Tokens}. */
    public static final Key JWT_HMAC_KEY = new Key("relay.jwt-hmac-key", "",
            "shared key (32 bytes or more) of HS256 JWTs bound to one id; empty = none");

    /** A PEM file of public keys or certificates, or a JWKS file (or either inline), for RS256 and ES256 JWTs. */
    public static final Key JWT_PUBLIC_KEY = new Key("relay.jwt-public-key", "",
            "PEM or JWKS file of the public keys of RS256/ES256 JWTs bound to one id; empty = none");

    /** The {@code aud} a JWT must name; empty for any. */
    public static final Key JWT_AUDIENCE = new Key("relay.jwt-audience", "",
            "the aud a JWT must name; empty = any");

    /** The {@code iss} a JWT must have; empty for any. */
    public static final Key JWT_ISSUER = new Key("relay.jwt-issuer", "",
            "the iss a JWT must have; empty = any");

    /** Proxies (addresses and CIDR blocks) whose X-Forwarded-For / Forwarded header gives the client address. */
    public static final Key TRUSTED_PROXIES = new Key("relay.trusted-proxies", "",
            "comma-separated addresses/CIDR blocks of proxies whose X-Forwarded-For or Forwarded is believed; empty = none");

    /** The key of the old signed-token format {@code <expiry>.<signature>}: removed, refused with a pointer to JWTs. */
    static final Key REMOVED_TOKEN_HMAC_KEY = new Key("relay.token-hmac-key", "", "removed");

    /** A connection that has not become a WebSocket this long after it opened is closed (launcher; slowloris). */
    public static final Key HANDSHAKE_TIMEOUT_MS = new Key("relay.handshake-timeout-ms", "10000",
            "close a connection that has not become a WebSocket this long after opening (ms; launcher only,"
                    + " plain HTTP connections too); 0 = off");

    /** How long a stopping relay waits for its clients to take their 1001 close. */
    public static final Key SHUTDOWN_GRACE_MS = new Key("relay.shutdown-grace-ms", "5000",
            "how long a stopping relay waits for its clients to take their 1001 close (ms)");

    /** Most members of one room; one more is upgraded and closed at once with 1013, and no member hears of it. */
    public static final Key ROOM_CAPACITY = new Key("relay.room-capacity", "50",
            "most members of one room; one more is closed with 1013 (room full) right after it opens");

    /**
     * The Redis that makes this relay one node of several: {@code redis://host:port[/db]}, {@code rediss://} for
     * TLS, {@code redis://user:password@host:port}, or {@code redis-sentinel://host:port[,host:port]#master} for
     * the master that Redis Sentinel names (Lettuce's URI forms). Empty: one node, all in memory.
     */
    public static final Key REDIS_URL = new Key("relay.redis-url", "",
            "the Redis shared by the nodes of one relay (redis://host:port[/db], rediss://, redis://user:pass@...);"
                    + " empty: a relay of one node, in memory", "--redis");

    /** How long a node that stopped beating in Redis is trusted; then its clients' peers elsewhere are told. */
    public static final Key NODE_TIMEOUT_MS = new Key("relay.node-timeout-ms", "10000",
            "how long a silent node (or an unreachable Redis) is trusted before its cross-node pairs and room members"
                    + " are closed (ms)");

    /** The prefix of every Redis key of this relay, so that two relays can share one Redis. */
    public static final Key CLUSTER_NAME = new Key("relay.cluster-name", "websocket-relay",
            "the prefix of this relay's Redis keys: nodes with the same Redis and name are one relay", "--cluster");

    /** Every key, in the order of {@code --help}. */
    public static final List<Key> KEYS = List.of(MAX_MESSAGE_BYTES, SEND_BUFFER_BYTES, MAX_ID_BYTES, ID_PATTERN,
            PING_INTERVAL_MS, IDLE_TIMEOUT_MS, MAX_CONNECTIONS, ROOM_CAPACITY, MAX_CONNECTIONS_PER_ADDRESS,
            CONNECTIONS_PER_SECOND_PER_ADDRESS, MESSAGES_PER_SECOND, BYTES_PER_SECOND, ALLOWED_ORIGINS, TOKEN,
            JWT_HMAC_KEY, JWT_PUBLIC_KEY, JWT_AUDIENCE, JWT_ISSUER, TRUSTED_PROXIES, HANDSHAKE_TIMEOUT_MS,
            SHUTDOWN_GRACE_MS, REDIS_URL, NODE_TIMEOUT_MS, CLUSTER_NAME);

    /** The keys of a relay of several nodes, the last of {@link #KEYS}. */
    public static final List<Key> CLUSTER_KEYS = List.of(REDIS_URL, NODE_TIMEOUT_MS, CLUSTER_NAME);

    /** Room that the send buffer keeps beyond one largest message, for the control messages around it. */
    static final int CONTROL_HEADROOM = 1024;

    public RelaySettings {
        if (maxMessageBytes < 1) {
            throw new IllegalArgumentException(MAX_MESSAGE_BYTES.variable() + " must be at least 1");
        }
        if (sendBufferBytes < (long) maxMessageBytes + CONTROL_HEADROOM) {
            throw new IllegalArgumentException(SEND_BUFFER_BYTES.variable() + " (" + sendBufferBytes
                    + ") must be at least " + MAX_MESSAGE_BYTES.variable() + " + " + CONTROL_HEADROOM + " ("
                    + ((long) maxMessageBytes + CONTROL_HEADROOM) + ")");
        }
        allowedOrigins = Set.copyOf(allowedOrigins);
        token = token == null ? "" : token;
        jwtHmacKey = jwtHmacKey == null ? "" : jwtHmacKey;
        jwtPublicKey = jwtPublicKey == null ? "" : jwtPublicKey;
        jwtAudience = jwtAudience == null ? "" : jwtAudience;
        jwtIssuer = jwtIssuer == null ? "" : jwtIssuer;
        trustedProxies = trustedProxies == null ? TrustedProxies.NONE : trustedProxies;
        redisUrl = redisUrl == null ? "" : redisUrl;
        clusterName = clusterName == null || clusterName.isEmpty() ? CLUSTER_NAME.defaultValue() : clusterName;
        if (!redisUrl.isEmpty() && !(redisUrl.startsWith("redis://") || redisUrl.startsWith("rediss://")
                || redisUrl.startsWith("redis-sentinel://"))) {
            throw new IllegalArgumentException(REDIS_URL.variable() + " must start with redis://, rediss:// or"
                    + " redis-sentinel://, not '" + redisUrl + "'");
        }
        if (nodeTimeoutMillis < 1000) {
            throw new IllegalArgumentException(NODE_TIMEOUT_MS.variable() + " must be at least 1000, not "
                    + nodeTimeoutMillis);
        }
    }

    /** @return whether this relay is one node of several, on Redis */
    public boolean clustered() {
        return !redisUrl.isEmpty();
    }

    /** @return the defaults of every key */
    public static RelaySettings defaults() {
        return read(name -> null, name -> null);
    }

    /** @return the settings of this process: environment variables, then system properties, then defaults */
    public static RelaySettings fromEnvironment() {
        return read(System::getenv, System::getProperty);
    }

    /**
     * @param environment the environment variables
     * @param properties  the system properties
     * @return the settings these name
     * @throws IllegalArgumentException naming the key of a value that is not valid
     */
    public static RelaySettings read(UnaryOperator<String> environment, UnaryOperator<String> properties) {
        if (!REMOVED_TOKEN_HMAC_KEY.read(environment, properties).isEmpty()) {
            throw new IllegalArgumentException(REMOVED_TOKEN_HMAC_KEY.variable() + " and its <expiry>.<signature> tokens"
                    + " were removed: issue HS256 JWTs with 'sub' = the id and set " + JWT_HMAC_KEY.variable());
        }
        return new RelaySettings(
                intValue(MAX_MESSAGE_BYTES, environment, properties, 1, Integer.MAX_VALUE - CONTROL_HEADROOM),
                SEND_BUFFER_BYTES.parseLong(SEND_BUFFER_BYTES.read(environment, properties), 1),
                intValue(MAX_ID_BYTES, environment, properties, 1, 1 << 20),
                pattern(ID_PATTERN.read(environment, properties)),
                PING_INTERVAL_MS.parseLong(PING_INTERVAL_MS.read(environment, properties), 0),
                IDLE_TIMEOUT_MS.parseLong(IDLE_TIMEOUT_MS.read(environment, properties), 0),
                intValue(MAX_CONNECTIONS, environment, properties, 1, Integer.MAX_VALUE),
                intValue(MAX_CONNECTIONS_PER_ADDRESS, environment, properties, 0, Integer.MAX_VALUE),
                intValue(CONNECTIONS_PER_SECOND_PER_ADDRESS, environment, properties, 0, Integer.MAX_VALUE),
                intValue(MESSAGES_PER_SECOND, environment, properties, 0, Integer.MAX_VALUE),
                BYTES_PER_SECOND.parseLong(BYTES_PER_SECOND.read(environment, properties), 0),
                origins(ALLOWED_ORIGINS.read(environment, properties)),
                TOKEN.read(environment, properties),
                JWT_HMAC_KEY.read(environment, properties),
                JWT_PUBLIC_KEY.read(environment, properties),
                JWT_AUDIENCE.read(environment, properties),
                JWT_ISSUER.read(environment, properties),
                proxies(TRUSTED_PROXIES.read(environment, properties)),
                HANDSHAKE_TIMEOUT_MS.parseLong(HANDSHAKE_TIMEOUT_MS.read(environment, properties), 0),
                SHUTDOWN_GRACE_MS.parseLong(SHUTDOWN_GRACE_MS.read(environment, properties), 0),
                intValue(ROOM_CAPACITY, environment, properties, 1, Integer.MAX_VALUE),
                REDIS_URL.read(environment, properties),
                NODE_TIMEOUT_MS.parseLong(NODE_TIMEOUT_MS.read(environment, properties), 0),
                CLUSTER_NAME.read(environment, properties));
    }

    private static int intValue(Key key, UnaryOperator<String> environment, UnaryOperator<String> properties,
            int min, int max) {
        long value = key.parseLong(key.read(environment, properties), min);
        if (value > max) {
            throw new IllegalArgumentException(key.variable() + " must be at most " + max + ", not " + value);
        }
        return (int) value;
    }

    private static Pattern pattern(String regex) {
        if (regex.isEmpty()) {
            return null;
        }
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(ID_PATTERN.variable() + " is not a regular expression: "
                    + e.getDescription());
        }
    }

    private static TrustedProxies proxies(String list) {
        try {
            return TrustedProxies.parse(list);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(TRUSTED_PROXIES.variable() + ": " + e.getMessage());
        }
    }

    private static Set<String> origins(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).filter(origin -> !origin.isEmpty())
                .collect(Collectors.toSet());
    }

    /**
     * @param values some keys and their values; the others keep their defaults
     * @return the settings these name
     * @throws IllegalArgumentException naming the key of a value that is not valid
     */
    public static RelaySettings of(Map<Key, String> values) {
        Map<String, String> byVariable = new HashMap<>();
        values.forEach((key, value) -> byVariable.put(key.variable(), value));
        return read(byVariable::get, name -> null);
    }
}
