package io.websocketrelay.core;

import io.websocketrelay.config.RelaySettings;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every client connected to this relay, whatever it joined (a pair id or a room): their count against
 * {@code RELAY_MAX_CONNECTIONS}, the heartbeat that pings them and closes the dead and the idle, and the shutdown
 * that closes them all with 1001.
 *
 * <p>Threading: {@link #admit} and {@link #remove} may be called from any thread; the heartbeat runs on a thread of
 * its own, started with the first client when pings or the idle timeout are on.
 */
@ApplicationScoped
public class Registry {

    private static final Logger LOG = Logger.getLogger(Registry.class.getName());
    static final String SHUTTING_DOWN = "server shutting down";

    private final Set<Peer> peers = ConcurrentHashMap.newKeySet();
    private final AtomicInteger open = new AtomicInteger();
    private final RelaySettings settings;
    private final RelayStats stats;
    private volatile boolean closing;
    private ScheduledExecutorService heartbeat; // guarded by this
    private long ticks; // heartbeat thread only

    /** For the container's client proxy only. */
    protected Registry() {
        this.settings = null;
        this.stats = null;
    }

    @Inject
    public Registry(RelaySettings settings, RelayStats stats) {
        this.settings = settings;
        this.stats = stats;
    }

    /**
     * Counts a client in, unless the relay is stopping (the client is closed with 1001) or full (closed with 1013).
     *
     * @return whether the client was admitted
     */
    public boolean admit(Peer peer) {
        if (closing) {
            peer.close(Protocol.CLOSE_GOING_AWAY, SHUTTING_DOWN);
            return false;
        }
        if (open.incrementAndGet() > settings.maxConnections()) {
            open.decrementAndGet();
            stats.handshakeRefused("full");
            LOG.log(Level.INFO, "Refused a client on id {0}: {1} connections open",
                    new Object[] {peer.id(), settings.maxConnections()});
            peer.close(Protocol.CLOSE_TRY_AGAIN_LATER, "try again later: the relay is full");
            return false;
        }
        peers.add(peer);
        stats.opened();
        startHeartbeat();
        return true;
    }

    /** @return {@code true} the first time {@code peer} is removed, {@code false} after that or if never admitted */
    public boolean remove(Peer peer) {
        if (peer == null || !peers.remove(peer)) {
            return false;
        }
        open.decrementAndGet();
        return true;
    }

    /** @return whether the relay takes new clients; {@code false} once {@link #shutdown()} began */
    public boolean isAccepting() {
        return !closing;
    }

    /** @return how many clients are connected */
    public int connections() {
        return peers.size();
    }

    /**
     * Stops the relay: from now on a client that connects is closed with 1001 at once, and every connected client
     * is closed with 1001 (going away) once what was queued for it has been sent. Nobody is matched again.
     */
    @PreDestroy
    public void shutdown() {
        closing = true;
        synchronized (this) {
            if (heartbeat != null) {
                heartbeat.shutdownNow();
            }
        }
        for (Peer peer : List.copyOf(peers)) {
            peer.closeWhenFlushed(Protocol.CLOSE_GOING_AWAY, SHUTTING_DOWN);
        }
    }

    /** Starts the heartbeat with the first client, if pings or the idle timeout are on. */
    private void startHeartbeat() {
        long ping = settings.pingIntervalMillis();
        long idle = settings.idleTimeoutMillis();
        if (ping == 0 && idle == 0) {
            return;
        }
        synchronized (this) {
            if (heartbeat != null || closing) {
                return;
            }
            long tick = ping > 0 && idle > 0 ? Math.min(ping, idle) : Math.max(ping, idle);
            long pingEvery = ping > 0 ? Math.max(1, ping / tick) : 0;
            int idleTicks = idle > 0 ? (int) Math.max(1, (idle + tick - 1) / tick) : 0;
            ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
                Thread thread = new Thread(runnable, "relay-heartbeat");
                thread.setDaemon(true);
                return thread;
            });
            executor.scheduleWithFixedDelay(() -> beat(pingEvery, idleTicks), tick, tick, TimeUnit.MILLISECONDS);
            heartbeat = executor;
        }
    }

    /** One heartbeat tick over every client: closes the dead and the idle with 1001, pings the rest. */
    private void beat(long pingEvery, int idleTicks) {
        try {
            ticks++;
            boolean ping = pingEvery > 0 && ticks % pingEvery == 0;
            for (Peer peer : peers) {
                Liveness.Beat beat = peer.beat(ping, idleTicks);
                if (beat != Liveness.Beat.FINE) {
                    String reason = beat == Liveness.Beat.DEAD
                            ? "no answer to ping within " + settings.pingIntervalMillis() + " ms"
                            : "idle for " + settings.idleTimeoutMillis() + " ms";
                    LOG.log(Level.FINE, "Closing a client on id {0}: {1}", new Object[] {peer.id(), reason});
                    stats.closedBy(beat == Liveness.Beat.DEAD ? "heartbeat" : "idle");
                    peer.drop(Protocol.CLOSE_GOING_AWAY, reason);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "The heartbeat failed; it goes on at the next tick", e);
        }
    }
}
