package io.websocketrelay.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.websocketrelay.config.RelaySettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many threads join, relay on and leave one id at once. Between rounds, with everybody still, the pairing must be
 * consistent; at the end, every message must have reached exactly the peer its sender was paired with.
 */
@Timeout(60)
class PairingsStressTest {

    private static final int THREADS = 6;
    private static final int ROUNDS = 300;

    private final PairsFixture pairings = new PairsFixture(RelaySettings.defaults());
    private final Map<Peer, FakeTransport> transports = new ConcurrentHashMap<>();
    private final Map<Peer, String> names = new ConcurrentHashMap<>();

    @Test
    void pairingStaysConsistentUnderConcurrentJoinsAndLeaves() throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(THREADS, this::checkConsistent);
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
        assertEquals(0, pairings.connections());
        assertEquals(0, pairings.waiting());
        int data = 0;
        for (Map.Entry<Peer, FakeTransport> entry : transports.entrySet()) {
            data += checkStream(names.get(entry.getKey()), entry.getValue().take());
        }
        assertTrue(data > 1000, "only " + data + " messages were relayed");
    }

    private void work(int thread, CyclicBarrier barrier) throws Exception {
        Random random = new Random(thread);
        List<Peer> mine = new ArrayList<>();
        int created = 0;
        for (int round = 0; round < ROUNDS; round++) {
            if (mine.size() < 3 && (mine.isEmpty() || random.nextBoolean())) {
                FakeTransport transport = new FakeTransport();
                Peer peer = pairings.join("stress", transport);
                transports.put(peer, transport);
                names.put(peer, thread + "." + created++);
                mine.add(peer);
            } else {
                Peer leaving = mine.remove(random.nextInt(mine.size()));
                pairings.leave(leaving);
            }
            for (Peer peer : mine) {
                pairings.relay(peer, "d:" + names.get(peer));
            }
            barrier.await(10, TimeUnit.SECONDS);
        }
        for (Peer peer : mine) {
            pairings.leave(peer);
        }
    }

    /** Runs with every thread at the barrier: nobody half-paired, at most one waiter, nobody stranded alone. */
    private void checkConsistent() {
        int waiting = 0;
        int alone = 0;
        for (Peer peer : transports.keySet()) {
            if (!peer.isOpen()) {
                continue;
            }
            Route link = peer.route();
            if (link != null) {
                Peer other = ((Link) link).other(peer);
                assertSame(link, other.route(), () -> peer + " is paired with " + other + ", which is not paired back");
                assertTrue(other.isOpen(), () -> peer + " is paired with a peer that left");
            } else {
                alone++;
                if (peer.isWaiting()) {
                    waiting++;
                }
            }
        }
        assertTrue(waiting <= 1, waiting + " clients wait on one id");
        assertEquals(waiting, alone, "a client is alone without waiting");
        assertEquals(waiting, pairings.waiting());
    }

    /**
     * Checks what one client received: data only while paired, never its own, and within one pairing from one
     * sender only.
     *
     * @return the number of data messages
     */
    private static int checkStream(String name, List<String> messages) {
        boolean paired = false;
        String sender = null;
        int data = 0;
        for (String message : messages) {
            switch (message) {
                case "/status:connected" -> {
                    paired = true;
                    sender = null;
                }
                case "/remote:close" -> paired = false;
                case "/status:waiting", "/remote:open" -> assertTrue(!paired, name + " got " + message + " while paired");
                default -> {
                    if (message.startsWith("/error:0001:")) {
                        continue;
                    }
                    assertTrue(message.startsWith("d:"), name + " got " + message);
                    if (!paired) {
                        fail(name + " got data while not paired: " + message + " in " + messages);
                    }
                    String from = message.substring(2);
                    if (sender == null) {
                        sender = from;
                    } else {
                        assertEquals(sender, from, name + " got data from two senders in one pairing");
                    }
                    assertTrue(!from.equals(name), name + " got its own message back");
                    data++;
                }
            }
        }
        return data;
    }
}
