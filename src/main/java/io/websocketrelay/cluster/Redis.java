package io.websocketrelay.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XTrimArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Every Redis command of a node, asynchronous, through Lettuce: one shared connection for commands and one for the
 * blocking read of the node's inbox (a blocking {@code XREAD} holds its connection until it returns). The only class
 * that touches Lettuce, so a relay without Redis never loads it.
 *
 * <p>Each command times out after the command timeout, so a Redis that stops answering (a frozen process whose
 * connections stay open) fails the calls instead of holding them; while a connection is down, commands are refused at
 * once rather than queued, so nothing waits without bound. Lettuce reconnects by itself; a connection that could not
 * be opened at all is tried again by {@link #connect()}.
 *
 * <p>Keys are strings; values are bytes (payloads are relayed byte for byte).
 */
final class Redis implements AutoCloseable {

    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private final RedisURI uri;
    private final ClientResources resources;
    private final RedisClient client;
    private final Duration timeout;
    /** Where the dependents of every stage returned here run (except {@link #xadd}'s): never a Netty thread. */
    private final Executor executor;
    private volatile StatefulRedisConnection<String, byte[]> commands;
    private volatile StatefulRedisConnection<String, byte[]> reader;
    private CompletableFuture<Void> connecting; // guarded by this

    /**
     * @param url     {@code redis://...} or {@code rediss://...}
     * @param timeout how long one command may take before it fails
     */
    Redis(String url, Duration timeout, Executor executor) {
        this.uri = RedisURI.create(url);
        this.timeout = timeout;
        this.executor = executor;
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofMillis(500), 2,
                        TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).keepAlive(true).tcpNoDelay(true).build())
                .build());
    }

    /** @return where this node's Redis is, without a password */
    String describe() {
        return uri.getHost() + ":" + uri.getPort() + (uri.getDatabase() != 0 ? "/" + uri.getDatabase() : "");
    }

    /**
     * Opens the two connections unless they are open; completes when both are. Safe to call again after a failure.
     */
    synchronized CompletionStage<Void> connect() {
        return off(opened());
    }

    private synchronized CompletionStage<Void> opened() {
        if (commands != null && reader != null) {
            return CompletableFuture.completedFuture(null);
        }
        if (connecting != null && !connecting.isDone()) {
            return connecting;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        connecting = done;
        open(commands).thenCompose(c -> {
            commands = c;
            return open(reader);
        }).whenComplete((r, failure) -> {
            if (failure != null) {
                done.completeExceptionally(failure);
            } else {
                reader = r;
                done.complete(null);
            }
        });
        return done;
    }

    private CompletionStage<StatefulRedisConnection<String, byte[]>> open(
            StatefulRedisConnection<String, byte[]> existing) {
        if (existing != null) {
            return CompletableFuture.completedFuture(existing);
        }
        return client.connectAsync(CODEC, uri).toCompletableFuture();
    }

    private RedisAsyncCommands<String, byte[]> async() {
        StatefulRedisConnection<String, byte[]> connection = commands;
        if (connection == null) {
            throw new IllegalStateException("not connected to Redis");
        }
        return connection.async();
    }

    /** Runs a Lua script; a call that cannot even be issued fails its stage. */
    <T> CompletionStage<T> eval(String script, ScriptOutputType type, String[] keys, String... args) {
        try {
            byte[][] values = new byte[args.length][];
            for (int i = 0; i < args.length; i++) {
                values[i] = args[i].getBytes(UTF_8);
            }
            return off(async().<T>eval(script, type, keys, values));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Moves the dependents of a stage off Lettuce's Netty thread. A command issued from a Netty event loop is written
     * at once, ahead of the commands that other threads issued before it and that wait in the loop's task queue; so
     * the relay issues no command from there, and keeps the order in which it issues its commands.
     */
    private <T> CompletionStage<T> off(CompletionStage<T> stage) {
        return stage.toCompletableFuture().whenCompleteAsync((value, failure) -> { }, executor);
    }

    /**
     * {@code XADD key MAXLEN ~ maxLength * fields...}. Its stage completes on a Netty thread: a dependent that may
     * issue another command must move to the executor first (see {@link #off}).
     */
    CompletionStage<String> xadd(String key, long maxLength, Map<String, byte[]> fields) {
        try {
            return async().xadd(key, XAddArgs.Builder.maxlen(maxLength).approximateTrimming(true), fields)
                    .toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** {@code XTRIM key MINID ~ id}: drops the entries already read. */
    CompletionStage<Long> trimBefore(String key, String id) {
        try {
            return async().xtrim(key, XTrimArgs.Builder.minId(id).approximateTrimming(false)).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * {@code XREAD COUNT count BLOCK block STREAMS key after}, on the reader connection, opened first if it is not.
     * A read that timed out drops that connection: its blocking command is still queued there (a frozen Redis runs
     * every such command when it thaws, each blocking for {@code block}), and the next read would wait behind them
     * all and time out in turn.
     */
    CompletionStage<List<StreamMessage<String, byte[]>>> read(String key, String after, int count, Duration block) {
        StatefulRedisConnection<String, byte[]> connection = reader;
        if (connection == null) {
            return connect().thenCompose(connected -> reader == null
                    ? CompletableFuture.failedFuture(new IllegalStateException("not connected to Redis"))
                    : read(key, after, count, block));
        }
        try {
            CompletableFuture<List<StreamMessage<String, byte[]>>> read = connection.async()
                    .xread(XReadArgs.Builder.block(block).count(count), XReadArgs.StreamOffset.from(key, after))
                    .toCompletableFuture();
            return off(read.whenComplete((batch, failure) -> {
                if (failure instanceof RedisCommandTimeoutException) {
                    dropReader(connection);
                }
            }));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private synchronized void dropReader(StatefulRedisConnection<String, byte[]> connection) {
        if (reader == connection) {
            reader = null;
            connection.closeAsync();
        }
    }

    /** @return how long one command may take */
    Duration timeout() {
        return timeout;
    }

    @Override
    public void close() {
        StatefulRedisConnection<String, byte[]> c = commands;
        StatefulRedisConnection<String, byte[]> r = reader;
        if (c != null) {
            c.closeAsync();
        }
        if (r != null) {
            r.closeAsync();
        }
        client.shutdownAsync(0, 1, TimeUnit.SECONDS);
        resources.shutdown(0, 1, TimeUnit.SECONDS);
    }
}
