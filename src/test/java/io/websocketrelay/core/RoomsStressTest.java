package io.websocketrelay.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.websocketrelay.config.RelaySettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many threads join, broadcast, send direct texts and leave in two rooms at once. With everybody still, every
 * member's view (its {@code /room:joined} list plus the opens minus the closes it got) must equal the room's other
 * members; at the end every stream must show: no echo, each sender's messages in order, a member heard of before and
 * not after its messages, and nothing misrouted.
 */
@Timeout(60)
class RoomsStressTest {

    private static final int THREADS = 6;
    private static final int ROUNDS = 300;
    private static final String[] ROOM_IDS = {"one", "two"};

    private final RelayStats stats = new RelayStats();
    private final RelaySettings settings = RelaySettings.defaults();
    private final Registry registry = new Registry(settings, stats);
    private final Rooms rooms = new Rooms(registry, settings, stats);
    /** Every member that ever joined, with its transport, its room and its own id (taken from its first message). */
    private final Map<Peer, FakeTransport> transports = new ConcurrentHashMap<>();
    private final Map<Peer, String> roomOf = new ConcurrentHashMap<>();
    private final Map<Peer, List<String>> streams = new ConcurrentHashMap<>();

    @Test
    void viewsStayConsistentAndStreamsOrderedUnderConcurrentChurn() throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(THREADS, this::checkViews);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            workers.add(pool.submit(() -> {
                work(thread, barrier);
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get(50, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(0, registry.connections());
        assertEquals(0, rooms.rooms());
        assertEquals(0, rooms.members());
        collect();
        int data = 0;
        for (Map.Entry<Peer, List<String>> entry : streams.entrySet()) {
            data += checkStream(entry.getValue());
        }
        assertTrue(data > 1000, "only " + data + " messages were delivered");
    }

    private void work(int thread, CyclicBarrier barrier) throws Exception {
        Random random = new Random(thread);
        List<Peer> mine = new ArrayList<>();
        Map<Peer, Integer> sent = new HashMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            if (mine.size() < 3 && (mine.isEmpty() || random.nextBoolean())) {
                FakeTransport transport = new FakeTransport();
                String room = ROOM_IDS[random.nextInt(ROOM_IDS.length)];
                Peer peer = rooms.join(room, transport);
                transports.put(peer, transport);
                roomOf.put(peer, room);
                mine.add(peer);
            } else {
                mine.remove(random.nextInt(mine.size())).leave();
            }
            for (Peer peer : mine) {
                int seq = sent.merge(peer, 1, Integer::sum);
                String me = ownId(peer);
                if (random.nextInt(4) == 0) {
                    // a direct text to a member this thread knows of, which may be in the other room or gone
                    Peer target = mine.get(random.nextInt(mine.size()));
                    peer.relay(Outbound.text("/to:" + ownId(target) + ":" + me + ":" + seq));
                } else {
                    peer.relay(Outbound.text("d:" + me + ":" + seq));
                }
            }
            barrier.await(10, TimeUnit.SECONDS);
        }
        for (Peer peer : mine) {
            peer.leave();
        }
    }

    private String ownId(Peer peer) {
        synchronized (transports.get(peer)) {
            collectOne(peer);
            String joined = streams.get(peer).get(0);
            return joined.substring("/room:joined:".length(), joined.indexOf(':', "/room:joined:".length()));
        }
    }

    private void collect() {
        for (Peer peer : transports.keySet()) {
            collectOne(peer);
        }
    }

    private void collectOne(Peer peer) {
        streams.computeIfAbsent(peer, key -> new ArrayList<>()).addAll(transports.get(peer).take());
    }

    /** Runs with every thread at the barrier: each open member's view is the room's other members. */
    private void checkViews() {
        collect();
        Map<String, Set<String>> membersByRoom = new HashMap<>();
        Map<Peer, String> ids = new HashMap<>();
        for (Peer peer : transports.keySet()) {
            if (peer.isOpen()) {
                String id = ownId(peer);
                ids.put(peer, id);
                membersByRoom.computeIfAbsent(roomOf.get(peer), key -> new HashSet<>()).add(id);
            }
        }
        for (Map.Entry<Peer, String> entry : ids.entrySet()) {
            Set<String> expected = new HashSet<>(membersByRoom.get(roomOf.get(entry.getKey())));
            expected.remove(entry.getValue());
            assertEquals(expected, view(streams.get(entry.getKey())), () -> "the view of " + entry.getValue());
        }
    }

    /** @return the other members as a stream of control messages tells them */
    private static Set<String> view(List<String> stream) {
        Set<String> view = new LinkedHashSet<>();
        String joined = stream.get(0);
        String others = joined.substring(joined.indexOf(':', "/room:joined:".length()) + 1);
        if (!others.isEmpty()) {
            view.addAll(List.of(others.split(",")));
        }
        for (String message : stream.subList(1, stream.size())) {
            if (message.startsWith("/member:open:")) {
                assertTrue(view.add(message.substring("/member:open:".length())), "opened twice: " + message);
            } else if (message.startsWith("/member:close:")) {
                assertTrue(view.remove(message.substring("/member:close:".length())), "closed unknown: " + message);
            }
        }
        return view;
    }

    /**
     * Checks one member's stream: every data message comes from a member in its view at that point, never from
     * itself, and each sender's sequence numbers only grow.
     *
     * @return the number of data messages
     */
    private static int checkStream(List<String> stream) {
        String joined = stream.get(0);
        assertTrue(joined.startsWith("/room:joined:"), joined);
        String me = joined.substring("/room:joined:".length(), joined.indexOf(':', "/room:joined:".length()));
        Set<String> view = new HashSet<>();
        String others = joined.substring(joined.indexOf(':', "/room:joined:".length()) + 1);
        if (!others.isEmpty()) {
            view.addAll(List.of(others.split(",")));
        }
        Map<String, Integer> last = new HashMap<>();
        int data = 0;
        for (String message : stream.subList(1, stream.size())) {
            String sender;
            int seq;
            if (message.startsWith("/member:open:")) {
                view.add(message.substring("/member:open:".length()));
                continue;
            } else if (message.startsWith("/member:close:")) {
                view.remove(message.substring("/member:close:".length()));
                continue;
            } else if (message.startsWith("/error:0003:") || message.startsWith("/error:0001:")) {
                continue; // a direct text to a member that had left, to itself or to the other room
            } else if (message.startsWith("/from:")) {
                String[] parts = message.split(":");
                sender = parts[1];
                assertEquals(sender, parts[2], "the relay named another sender than the text: " + message);
                seq = Integer.parseInt(parts[3]);
            } else {
                assertTrue(message.startsWith("d:"), me + " got " + message);
                String[] parts = message.split(":");
                sender = parts[1];
                seq = Integer.parseInt(parts[2]);
            }
            assertFalse(sender.equals(me), me + " got its own message back: " + message);
            assertTrue(view.contains(sender), me + " got " + message + " from a member not in its view " + view);
            Integer before = last.put(sender, seq);
            assertTrue(before == null || before < seq, me + " got " + sender + "'s " + seq + " after " + before);
            data++;
        }
        return data;
    }
}
