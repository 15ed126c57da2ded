package io.websocketrelay.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.websocketrelay.config.RelaySettings;
import io.websocketrelay.core.Deliveries;
import io.websocketrelay.core.Outbound;
import io.websocketrelay.core.Pairs;
import io.websocketrelay.core.Peer;
import io.websocketrelay.core.RelayStats;
import io.websocketrelay.core.RoomCluster;
import io.websocketrelay.core.Rooms;
import io.websocketrelay.core.Transport;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This relay as one node of several on one Redis ({@code RELAY_REDIS_URL}); idle when no Redis is set.
 *
 * <p>A node has a random id, new at every start, and proves it is alive by a heartbeat key that expires after the
 * node timeout. It takes messages from the other nodes from its inbox stream ({@code XREAD}, blocking, on a connection
 * of its own) and posts to theirs ({@code XADD}). Each cross-node pair is a link with one id on both nodes; on each
 * side the client of the other node is a proxy {@link Peer}, so the pair protocol runs unchanged on both.
 *
 * <p>Faults: a linked node whose heartbeat key is gone is dead, and the links with it end (the local clients hear
 * {@code /remote:close} and are matched again). When Redis fails a command or does not answer within the command
 * timeout, the node is {@link State#DEGRADED}: it matches new clients in memory, keeps its local pairs, ends its
 * cross-node links once Redis has been out for the node timeout (when the other nodes give up on it too), and when
 * Redis answers again offers its waiters to the cluster again. A stopping node tells its linked nodes at once.
 *
 * <p>Threading: Redis completions arrive on Lettuce's threads and are handed to this node's one thread
 * ({@code relay-cluster}), which also runs the heartbeat, the liveness check and the inbox; nothing here blocks a
 * container's thread or holds a lock across a Redis call.
 */
@ApplicationScoped
public class Cluster implements RoomCluster {

    /** What {@code /health} says of the cluster. */
    public enum State {
        /** No Redis is set: a relay of one node. */
        SINGLE,
        /** Redis answers: the node matches and relays across the cluster. */
        UP,
        /** Redis is unreachable or does not answer: the node serves its own clients alone. */
        DEGRADED
    }

    private static final Logger LOG = Logger.getLogger(Cluster.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Entries taken from the inbox per read. */
    private static final int READ_BATCH = 512;
    /** The longest a sender stays paused by a full cross-node link (see {@link Peer#throttle}). */
    private static final long MAX_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(2);
        /** The longest a starting node waits for Redis before it serves. */
    static final Duration STARTUP_WAIT = Duration.ofSeconds(5);
    /** Most entries an inbox keeps ({@code XADD MAXLEN ~}), for a node that stopped reading it. */
    static final long INBOX_MAX_ENTRIES = 100_000;

    private final RelaySettings settings;
    private final RelayStats stats;
    private final Instance<Pairs> pairs;
    private final Instance<Rooms> rooms;
    private final Map<Peer, Remote> roomProxies = new ConcurrentHashMap<>();
    private final String nodeId = randomId();
    private final String prefix;
    private final Map<String, Remote> links = new ConcurrentHashMap<>();
    private final Map<String, Outbox> outboxes = new ConcurrentHashMap<>();
    private final AtomicLong linkCounter = new AtomicLong();
    /** Completes when Redis first answered. */
    private final CompletableFuture<Void> up = new CompletableFuture<>();
    private final ClusterMatchmaker matchmaker;
    private volatile State state;
    private volatile Redis redis;
    private volatile ScheduledThreadPoolExecutor loop;
    /** The one thread that issues the outboxes' batches. */
    private volatile ScheduledThreadPoolExecutor drainer;
    /** Set once the node has left the cluster: nothing more is posted. */
    private volatile boolean stopped;
    private volatile boolean stopping;
    /** When Redis last answered a heartbeat (System.nanoTime), on the loop thread. */
    private volatile long lastAnswer;
    // loop thread only
    private final Map<String, Long> sequences = new HashMap<>();
    /** The data offset this node last told each node it had read. */
    private final Map<String, Long> acknowledged = new HashMap<>();
    /** The data offset this node has read from each node. */
    private final Map<String, Long> read = new HashMap<>();
    private int readSinceTrim;
    /** Links that data arrived for after they ended here, each told once that they ended (the latest 4096). */
    private final Set<String> ended = java.util.Collections.newSetFromMap(new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > 4096;
        }
    });
    private String lastRead = "0-0";
    private boolean reading;
    private boolean linksEndedForOutage;
    /** When Redis last answered after failing (System.nanoTime); 0 before any outage. */
    private long recoveredAt;

    /** For the container's client proxy only. */
    protected Cluster() {
        this.settings = null;
        this.stats = null;
        this.pairs = null;
        this.rooms = null;
        this.prefix = null;
        this.matchmaker = null;
    }

    @Inject
    public Cluster(RelaySettings settings, RelayStats stats, Instance<Pairs> pairs, Instance<Rooms> rooms) {
        this.settings = settings;
        this.stats = stats;
        this.pairs = pairs;
        this.rooms = rooms;
        this.prefix = settings.clusterName() + ":";
        this.state = settings.clustered() ? State.DEGRADED : State.SINGLE;
        this.matchmaker = new ClusterMatchmaker(this);
    }

    /**
     * Starts with the application, before it serves: connects to Redis and waits for its first heartbeat, at most
     * {@link #STARTUP_WAIT} or the node timeout (a node that served before it joined would pair its first clients
     * alone). When Redis does not answer by then, the node serves its own clients and joins when Redis answers.
     */
    void started(@Observes @Initialized(ApplicationScoped.class) Object event) {
        start();
        if (state != State.SINGLE) {
            long wait = Math.min(STARTUP_WAIT.toMillis(), settings.nodeTimeoutMillis());
            try {
                up.get(wait, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                LOG.log(Level.WARNING, "Cluster {0}: Redis at {1} did not answer within {2} ms; node {3} serves its"
                        + " own clients alone until it does", new Object[] {settings.clusterName(), redis.describe(),
                        wait, nodeId});
            }
        }
    }

    /** Starts the node if Redis is set and it has not started yet; never blocks. */
    public synchronized void start() {
        if (state == State.SINGLE || loop != null || stopping) {
            return;
        }
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "relay-cluster");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        loop = executor;
        drainer = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "relay-cluster-out");
            thread.setDaemon(true);
            return thread;
        });
        redis = new Redis(settings.redisUrl(), commandTimeout(), this::execute);
        lastAnswer = System.nanoTime();
        LOG.log(Level.INFO, "Node {0} of cluster {1} on Redis at {2}, node timeout {3} ms",
                new Object[] {nodeId, settings.clusterName(), redis.describe(), settings.nodeTimeoutMillis()});
        executor.scheduleWithFixedDelay(guarded(this::beat), 0, beatMillis(), TimeUnit.MILLISECONDS);
        executor.scheduleWithFixedDelay(guarded(this::check), checkMillis(), checkMillis(), TimeUnit.MILLISECONDS);
    }

    /** @return the task, which logs what it throws instead of ending its schedule */
    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | LinkageError e) {
                LOG.log(Level.WARNING, "A cluster task failed", e);
            }
        };
    }

    /** @return how long one Redis command may take: a fifth of the node timeout, at most 2 s */
    private Duration commandTimeout() {
        return Duration.ofMillis(Math.max(200, Math.min(2000, settings.nodeTimeoutMillis() / 5)));
    }

    /** @return how often the node beats: five times per node timeout */
    private long beatMillis() {
        return Math.max(100, settings.nodeTimeoutMillis() / 5);
    }

    private long checkMillis() {
        return Math.max(100, Math.min(500, settings.nodeTimeoutMillis() / 10));
    }

    /** @return the cluster's state, for {@code /health} */
    public State state() {
        return state;
    }

    /** @return this node's id (random, new at every start) */
    public String nodeId() {
        return nodeId;
    }

    /** @return how many cross-node links this node holds */
    public int links() {
        return links.size();
    }

    /** @return the matchmaker of a clustered relay */
    ClusterMatchmaker matchmaker() {
        return matchmaker;
    }

    @Override
    public boolean isUp() {
        return state == State.UP;
    }

    String key(String kind, String name) {
        return prefix + kind + ":" + name;
    }

    String prefix() {
        return prefix;
    }

    Redis redis() {
        return redis;
    }

    Pairs pairs() {
        return pairs.get();
    }

    RelaySettings settings() {
        return settings;
    }

    RelayStats stats() {
        return stats;
    }

    /** Runs a task on this node's thread. */
    void execute(Runnable task) {
        ScheduledThreadPoolExecutor executor = loop;
        if (executor != null && !executor.isShutdown()) {
            try {
                executor.execute(guarded(task));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                LOG.log(Level.FINE, "The cluster stopped; a task was dropped");
            }
        }
    }

    // ---- links

    /**
     * Makes the proxy of a waiter that a client of this node took on another node, and tells that node.
     *
     * @return the proxy, to be linked with the joiner
     */
    Peer takeRemoteWaiter(String id, String node, long waiterSerial) {
        String link = nodeId + "." + Long.toString(linkCounter.incrementAndGet(), 36);
        Peer proxy = newProxy(id, node, link);
        post(node, Entries.pair(link, waiterSerial), 0, null, links.get(link)); // if it is lost, the link ends
        return proxy;
    }

    private Peer newProxy(String id, String node, String link) {
        Remote remote = new Remote(this, node, link, null);
        Peer proxy = Peer.proxy(id, remote, settings.sendBufferBytes(), pairs.get().self(), stats);
        remote.attach(proxy);
        links.put(link, remote);
        return proxy;
    }

    void forget(Remote remote) {
        links.remove(remote.link(), remote);
        Peer proxy = remote.peer();
        if (proxy != null) {
            roomProxies.remove(proxy, remote);
        }
    }

    // ---- rooms

    @Override
    public CompletionStage<Registration> register(String room, String member) {
        Redis r = redis;
        if (r == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("the cluster is stopped"));
        }
        return r.<List<Object>>eval(Scripts.ROOM_JOIN, ScriptOutputType.MULTI,
                new String[] {key("room", room), key("room-order", room), key("rooms", nodeId)},
                member, nodeId, Integer.toString(settings.roomCapacity()), prefix, room)
                .thenApply(reply -> {
                    if (reply.isEmpty()) {
                        return new Registration(true, false, List.of());
                    }
                    if (Long.valueOf(0).equals(reply.get(0))) {
                        return new Registration(false, true, List.of());
                    }
                    List<String> others = new ArrayList<>(reply.size() - 1);
                    for (Object value : reply.subList(1, reply.size())) {
                        others.add(new String((byte[]) value, UTF_8));
                    }
                    return new Registration(false, false, others);
                }).whenComplete((ok, failure) -> {
                    if (failure != null) {
                        failed("joining a room", failure); // on this node's thread (Redis#off)
                    }
                });
    }

    @Override
    public CompletionStage<List<String>> resync(String room, List<String> members) {
        Redis r = redis;
        if (r == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("the cluster is stopped"));
        }
        String[] args = new String[members.size() + 3];
        args[0] = nodeId;
        args[1] = prefix;
        args[2] = room;
        for (int i = 0; i < members.size(); i++) {
            args[i + 3] = members.get(i);
        }
        return r.<List<Object>>eval(Scripts.ROOM_SYNC, ScriptOutputType.MULTI,
                new String[] {key("room", room), key("room-order", room), key("rooms", nodeId)}, args)
                .thenApply(reply -> {
                    List<String> others = new ArrayList<>(reply.size());
                    for (Object value : reply) {
                        others.add(new String((byte[]) value, UTF_8));
                    }
                    return others;
                });
    }

    @Override
    public void unregister(String room, String member, Set<String> told) {
        Redis r = redis;
        if (r == null) {
            return;
        }
        r.<List<Object>>eval(Scripts.ROOM_LEAVE, ScriptOutputType.MULTI,
                new String[] {key("room", room), key("room-order", room)}, member)
                .whenComplete((nodes, failure) -> {
                    if (failure != null) {
                        failed("leaving a room", failure);
                        return;
                    }
                    Set<String> untold = new HashSet<>();
                    for (Object value : nodes) {
                        untold.add(new String((byte[]) value, UTF_8));
                    }
                    untold.removeAll(told);
                    untold.remove(nodeId);
                    for (String node : untold) {
                        post(node, Entries.left(room, member), 0, null, null);
                    }
                });
    }

    @Override
    public Peer nodeProxy(String room, String node) {
        String name = "room " + room + " at " + node + " #" + linkCounter.incrementAndGet();
        Remote remote = new Remote(this, node, name, room);
        Peer proxy = Peer.proxy(room, remote, settings.sendBufferBytes(), rooms.get().self(), stats);
        remote.attach(proxy);
        links.put(name, remote);
        roomProxies.put(proxy, remote);
        return proxy;
    }

    @Override
    public boolean isLocal(String node) {
        return nodeId.equals(node);
    }

    @Override
    public void discard(Peer proxy) {
        Remote remote = roomProxies.remove(proxy);
        if (remote != null) {
            remote.discard();
        }
    }

    /**
     * Posts a frame to a node's inbox, in the next batch to it (see {@link Outbox} for when the sender's callback
     * completes).
     *
     * @param size   the data bytes it carries, counted against the node's window
     * @param done   the sender's callback, or {@code null}
     * @param remote the link it travels on, or {@code null}
     */
    void post(String node, Map<String, byte[]> frame, int size, Transport.SendCallback done, Remote remote) {
        post(node, Frames.encode(frame), size, done, remote);
    }

    /** Posts an encoded frame ({@link Frames}); see {@link #post(String, Map, int, Transport.SendCallback, Remote)}. */
    void post(String node, byte[] frame, int size, Transport.SendCallback done, Remote remote) {
        if (redis == null || stopped) {
            if (done != null) {
                done.sent(new IllegalStateException("the cluster is stopped"));
            }
            return;
        }
        outboxes.computeIfAbsent(node, n -> new Outbox(this, n, key("inbox", n))).post(frame, size, done, remote);
    }

    /** Runs an outbox's drain on the one thread that issues the batches. */
    void drain(Runnable drain) {
        ScheduledThreadPoolExecutor executor = drainer;
        if (executor != null) {
            try {
                executor.execute(guarded(drain));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                LOG.log(Level.FINE, "The cluster stopped; a batch was dropped");
            }
        }
    }

    /** {@code XADD} of one batch; completes on a Netty thread. */
    CompletionStage<String> xadd(String key, Map<String, byte[]> entry) {
        return redis.xadd(key, INBOX_MAX_ENTRIES, entry);
    }

    // ---- the loop: heartbeat, liveness, inbox

    private void beat() {
        Redis r = redis;
        if (stopping || r == null) {
            return;
        }
        r.connect().thenCompose(connected -> r.<Long>eval(Scripts.BEAT, ScriptOutputType.INTEGER,
                new String[] {key("node", nodeId), prefix + "nodes"}, nodeId,
                Long.toString(settings.nodeTimeoutMillis())))
                .whenComplete((ok, failure) -> { // on this node's thread (Redis#off)
                    if (failure != null) {
                        failed("the heartbeat", failure);
                    } else {
                        answered();
                    }
                });
    }

    /** Redis answered: the node is up; after an outage its waiters are offered to the cluster again. */
    private void answered() {
        lastAnswer = System.nanoTime();
        up.complete(null);
        if (state != State.UP && !stopping) {
            // after an outage, or a start without Redis: the clients served alone meanwhile join the cluster
            boolean recovered = state == State.DEGRADED;
            state = State.UP;
            linksEndedForOutage = false;
            LOG.log(Level.INFO, "Cluster {0}: node {1} is UP on Redis at {2}",
                    new Object[] {settings.clusterName(), nodeId, redis.describe()});
            if (!reading) {
                reading = true;
                read();
            }
            if (recovered) {
                recoveredAt = System.nanoTime();
                matchmaker.offerWaitersAgain();
                rooms.get().resync();
            }
        }
    }

    /** A Redis call failed or timed out: the node is degraded until the next heartbeat answers. */
    void failed(String what, Throwable failure) {
        if (stopping) {
            return;
        }
        if (state == State.UP) {
            state = State.DEGRADED;
            LOG.log(Level.WARNING, "Cluster {0}: node {1} is DEGRADED, serving its own clients alone: {2} failed: {3}",
                    new Object[] {settings.clusterName(), nodeId, what, describe(failure)});
        } else {
            LOG.log(Level.FINE, "Cluster: {0} failed: {1}", new Object[] {what, describe(failure)});
        }
    }

    static String describe(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof java.util.concurrent.CompletionException
                || cause instanceof java.util.concurrent.ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + (cause.getMessage() != null ? ": " + cause.getMessage() : "");
    }

    /** Liveness: ends the links with dead nodes; ends every link once Redis has been out for the node timeout. */
    private void check() {
        if (stopping) {
            return;
        }
        acknowledgeAll();
        for (Remote remote : links.values()) {
            Peer proxy = remote.peer();
            if (proxy != null) {
                proxy.unthrottleIfPausedLongerThan(MAX_PAUSE_NANOS);
            }
        }
        if (state != State.UP) {
            long silentMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastAnswer);
            if (!linksEndedForOutage && silentMillis >= settings.nodeTimeoutMillis() - checkMillis()) {
                linksEndedForOutage = true;
                int ended = endLinks(link -> true);
                if (ended > 0) {
                    LOG.log(Level.INFO, "Cluster: Redis silent for {0} ms; {1} cross-node links ended",
                            new Object[] {silentMillis, ended});
                }
            }
            return;
        }
        if (recoveredAt != 0 && System.nanoTime() - recoveredAt < TimeUnit.MILLISECONDS.toNanos(2 * beatMillis())) {
            return; // Redis may have come back empty: the other nodes' heartbeats are not back yet
        }
        Set<String> linked = new HashSet<>();
        for (Remote remote : links.values()) {
            linked.add(remote.node());
        }
        List<String> nodes = new ArrayList<>(linked);
        String[] args = new String[nodes.size() + 1];
        args[0] = prefix;
        for (int i = 0; i < nodes.size(); i++) {
            args[i + 1] = nodes.get(i);
        }
        redis.<List<Object>>eval(Scripts.SWEEP, ScriptOutputType.MULTI,
                new String[] {prefix + "nodes"}, args).whenComplete((alive, failure) -> { // on this node's thread
                    if (failure != null) {
                        failed("the liveness check", failure);
                        return;
                    }
                    for (int i = 0; i < nodes.size() && i < alive.size(); i++) {
                        if (Long.valueOf(0).equals(alive.get(i))) {
                            nodeDead(nodes.get(i), "its heartbeat stopped");
                        }
                    }
                });
    }

    private void nodeDead(String node, String why) {
        int ended = endLinks(remote -> remote.node().equals(node));
        Outbox box = outboxes.remove(node);
        if (box != null) {
            box.close();
        }
        sequences.remove(node);
        acknowledged.remove(node);
        read.remove(node);
        LOG.log(Level.INFO, "Cluster: node {0} is gone ({1}); {2} cross-node links with it ended",
                new Object[] {node, why, ended});
    }

    private int endLinks(java.util.function.Predicate<Remote> which) {
        int ended = 0;
        for (Remote remote : List.copyOf(links.values())) {
            if (which.test(remote)) {
                remote.endedThere();
                ended++;
            }
        }
        return ended;
    }

    private void read() {
        Redis r = redis;
        if (stopping || r == null) {
            reading = false;
            return;
        }
        Duration block = r.timeout().dividedBy(2);
        // Redis#read completes on this node's thread already: no second hand-off
        r.read(key("inbox", nodeId), lastRead, READ_BATCH, block).whenComplete((batch, failure) -> guarded(() -> {
            if (failure != null) {
                failed("reading the inbox", failure);
                ScheduledThreadPoolExecutor executor = loop;
                if (executor != null && !stopping) {
                    executor.schedule(this::read, checkMillis(), TimeUnit.MILLISECONDS);
                }
                return;
            }
            if (batch != null && !batch.isEmpty()) {
                Map<String, Long> offsets = new HashMap<>();
                Deliveries.inOneRound(() -> { // one write per client for the whole read, not one per message
                    for (StreamMessage<String, byte[]> entry : batch) {
                        lastRead = entry.getId();
                        deliverBatch(entry.getBody(), offsets);
                    }
                });
                readSinceTrim += batch.size();
                if (readSinceTrim >= TRIM_EVERY) {
                    trim();
                }
                offsets.forEach((node, offset) -> {
                    read.put(node, offset);
                    Long told = acknowledged.get(node);
                    // a quarter of the window at once; the rest by check(), so a light load costs no ack each
                    if (told == null || offset - told >= Outbox.WINDOW_BYTES / 4) {
                        acknowledge(node, offset);
                    }
                });
            }
            read();
        }).run());
    }

    /** Entries read from the inbox before it is trimmed; also trimmed by every liveness check. */
    private static final int TRIM_EVERY = 1024;

    /** Drops the entries of the inbox already read (on the loop thread). */
    private void trim() {
        Redis r = redis;
        if (r != null && readSinceTrim > 0) {
            readSinceTrim = 0;
            r.trimBefore(key("inbox", nodeId), lastRead);
        }
    }

    /** Tells {@code node} that its data up to {@code offset} was read, so that its senders go on (loop thread). */
    private void acknowledge(String node, long offset) {
        acknowledged.put(node, offset);
        post(node, Entries.ack(offset), 0, null, null);
    }

    /** Acknowledges what was read since the last acknowledgement to each node and trims the inbox (loop thread). */
    private void acknowledgeAll() {
        read.forEach((node, offset) -> {
            Long told = acknowledged.get(node);
            if (told == null || offset > told) {
                acknowledge(node, offset);
            }
        });
        trim();
    }

    /** Acts on one entry of the inbox, a batch of frames (on the loop thread, in stream order). */
    private void deliverBatch(Map<String, byte[]> entry, Map<String, Long> offsets) {
        String from = Entries.text(entry, Entries.NODE);
        String sequence = Entries.text(entry, Entries.SEQUENCE);
        String offset = Entries.text(entry, Entries.OFFSET);
        byte[] batch = entry.get(Entries.BATCH);
        List<Frames.Frame> frames;
        try {
            if (from == null || sequence == null || offset == null || batch == null) {
                throw new IllegalArgumentException("fields " + entry.keySet());
            }
            frames = Frames.read(batch);
            long number = Long.parseLong(sequence);
            Long previous = sequences.put(from, number);
            if (previous != null && number != previous + 1) {
                // the links that had messages in them see their own gap (Entries.NUMBER) and end
                LOG.log(Level.INFO, "Cluster: entries {0} to {1} from node {2} were lost (Redis failed or restarted)",
                        new Object[] {previous + 1, number - 1, from});
            }
            offsets.put(from, Long.parseLong(offset));
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "Cluster: an inbox entry that is not a batch was skipped: {0}", e.getMessage());
            return;
        }
        for (Frames.Frame frame : frames) {
            if (frame.fields() == null) {
                deliverData(frame, from);
            } else {
                deliver(frame.fields(), from);
            }
        }
    }

    /** A message on a pair's link. */
    private void deliverData(Frames.Frame frame, String from) {
        Remote remote = links.get(frame.link());
        if (remote == null) {
            if (ended.add(frame.link())) {
                post(from, Entries.close(frame.link()), 0, null, null); // that side still thinks the link is up
            }
        } else if (remote.received(frame.number())) {
            remote.peer().relay(frame.kind() == Entries.TEXT ? Outbound.utf8Text(frame.payload())
                    : Outbound.binaryOwning(frame.payload()));
        } else {
            remote.lost(new IllegalStateException("messages before number " + frame.number() + " were lost"));
        }
    }

    /** Acts on one frame from node {@code from}. */
    private void deliver(Map<String, byte[]> entry, String from) {
        byte[] kind = entry.get(Entries.KIND);
        String link = Entries.text(entry, Entries.LINK);
        String room = Entries.text(entry, Entries.ROOM);
        if (kind != null && kind.length == 1 && kind[0] == Entries.ACK) {
            Outbox box = outboxes.get(from);
            String read = Entries.text(entry, Entries.READ);
            if (box != null && read != null) {
                box.read(Long.parseLong(read));
            }
            return;
        }
        if (kind == null || kind.length != 1 || (link == null && room == null)) {
            LOG.log(Level.WARNING, "Cluster: a frame without kind or address was skipped: {0}", entry.keySet());
            return;
        }
        if (room != null) {
            deliverInRoom(kind[0], room, from, entry);
            return;
        }
        switch (kind[0]) {
            case Entries.PAIR -> {
                long waiter = Long.parseLong(Entries.text(entry, Entries.WAITER));
                Peer taken = matchmaker.takenByRemote(waiter);
                Peer proxy = taken == null ? null : newProxy(taken.id(), from, link);
                if (proxy == null || !pairs.get().linkRemote(taken, proxy)) {
                    Remote unused = links.get(link);
                    if (unused != null) {
                        forget(unused);
                    }
                    post(from, Entries.close(link), 0, null, null); // the waiter left: the joiner is told
                }
            }
            case Entries.CLOSE -> {
                Remote remote = links.get(link);
                if (remote != null) {
                    if (entry.containsKey(Entries.SLOW)) {
                        pairs.get().dropSlowPartner(remote.peer()); // its close ends the link here too
                    }
                    remote.endedThere();
                }
            }
            default -> LOG.log(Level.WARNING, "Cluster: an inbox entry of unknown kind {0} was skipped",
                    (char) kind[0]);
        }
    }

    private void deliverInRoom(byte kind, String room, String from, Map<String, byte[]> entry) {
        switch (kind) {
            case Entries.JOINED -> rooms.get().remoteJoined(room, Entries.text(entry, Entries.MEMBER), from);
            case Entries.LEFT -> rooms.get().remoteLeft(room, Entries.text(entry, Entries.MEMBER));
            case Entries.TEXT, Entries.BINARY -> {
                byte[] payload = entry.get(Entries.PAYLOAD);
                if (payload != null) {
                    rooms.get().remoteMessage(room, Entries.text(entry, Entries.TARGET),
                            Entries.message(kind, payload));
                }
            }
            default -> LOG.log(Level.WARNING, "Cluster: a room entry of unknown kind {0} was skipped", (char) kind);
        }
    }

    // ---- stopping

    /**
     * Leaves the cluster: tells the linked nodes their links ended (their clients hear {@code /remote:close} at
     * once), withdraws this node's waiters and deletes its heartbeat, then closes the connections. Waits at most
     * a second for Redis.
     */
    @PreDestroy
    public void stop() {
        synchronized (this) {
            if (stopping || loop == null) {
                stopping = true;
                return;
            }
            stopping = true;
        }
        if (!up.isDone()) {
            stopped = true; // it never reached Redis: there is nothing to leave
            drainer.shutdownNow();
            loop.shutdownNow();
            redis.close();
            return;
        }
        Redis r = redis;
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (Remote remote : List.copyOf(links.values())) {
            remote.close(1001, "node stopping");
        }
        // after the batches of those closes: issued by the drainer, behind them
        CompletableFuture<Object> left = new CompletableFuture<>();
        drain(() -> r.eval(Scripts.LEAVE_CLUSTER, ScriptOutputType.INTEGER, new String[] {prefix + "nodes"}, prefix,
                nodeId).whenComplete((ok, failure) -> {
                    if (failure != null) {
                        left.completeExceptionally(failure);
                    } else {
                        left.complete(ok);
                    }
                }));
        pending.add(left);
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.log(Level.INFO, "Cluster: leaving Redis did not finish: {0}", describe(e));
        }
        stopped = true;
        drainer.shutdownNow();
        loop.shutdownNow();
        r.close();
        LOG.log(Level.INFO, "Node {0} left cluster {1}", new Object[] {nodeId, settings.clusterName()});
    }

    private static String randomId() {
        byte[] random = new byte[9];
        RANDOM.nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }
}
