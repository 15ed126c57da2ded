package io.websocketrelay.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.websocketrelay.config.RelaySettings;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The pairing sequences of the original protocol, with fake connections. */
class PairingsTest {

    private final PairsFixture pairings = new PairsFixture(RelaySettings.defaults());

    @Test
    void firstClientWaitsAndSecondPairsWithIt() {
        FakeTransport a = new FakeTransport();
        FakeTransport b = new FakeTransport();
        pairings.join("x", a);
        assertEquals(List.of("/status:waiting"), a.take());
        pairings.join("x", b);
        assertEquals(List.of("/status:connected"), b.take());
        assertEquals(List.of("/remote:open", "/status:connected"), a.take());
        assertEquals(0, pairings.waiting());
    }

    @Test
    void oneIdServesSeparatePairs() {
        FakeTransport a = new FakeTransport();
        FakeTransport b = new FakeTransport();
        FakeTransport c = new FakeTransport();
        FakeTransport d = new FakeTransport();
        Peer pa = pairings.join("x", a);
        Peer pb = pairings.join("x", b);
        Peer pc = pairings.join("x", c);
        assertEquals(List.of("/status:waiting"), c.take());
        Peer pd = pairings.join("x", d);
        assertEquals(List.of("/status:waiting", "/remote:open", "/status:connected"), a.take());
        assertEquals(List.of("/remote:open", "/status:connected"), c.take());
        assertEquals(List.of("/status:connected"), d.take());
        pairings.relay(pa, "for b");
        pairings.relay(pd, "for c");
        assertEquals(List.of("/status:connected", "for b"), b.take());
        assertEquals(List.of("for c"), c.take());
        pairings.relay(pb, "for a");
        pairings.relay(pc, "for d");
        assertEquals(List.of("for a"), a.take());
        assertEquals(List.of("for d"), d.take());
    }

    @Test
    void survivorWaitsAgainWhenNobodyWaits() {
        FakeTransport a = new FakeTransport();
        FakeTransport b = new FakeTransport();
        pairings.join("x", a);
        Peer pb = pairings.join("x", b);
        a.take();
        pairings.leave(pb);
        assertEquals(List.of("/remote:close", "/status:waiting"), a.take());
        assertEquals(1, pairings.waiting());
    }

    @Test
    void survivorPairsWithTheWaiterAsJoiner() {
        FakeTransport a = new FakeTransport();
        FakeTransport b = new FakeTransport();
        FakeTransport c = new FakeTransport();
        Peer pa = pairings.join("x", a);
        Peer pb = pairings.join("x", b);
        Peer pc = pairings.join("x", c);
        a.take();
        c.take();
        pairings.leave(pb);
        assertEquals(List.of("/remote:close", "/status:connected"), a.take());
        assertEquals(List.of("/remote:open", "/status:connected"), c.take());
        pairings.relay(pa, "hello c");
        assertEquals(List.of("hello c"), c.take());
        pairings.relay(pc, "hello a");
        assertEquals(List.of("hello a"), a.take());
    }

    @Test
    void waiterThatLeavesEmptiesTheSlot() {
        FakeTransport a = new FakeTransport();
        FakeTransport b = new FakeTransport();
        Peer pa = pairings.join("x", a);
        pairings.leave(pa);
        assertEquals(0, pairings.waiting());
        pairings.join("x", b);
        assertEquals(List.of("/status:waiting"), b.take());
    }

    @Test
    void leavingTwiceIsHarmless() {
        FakeTransport a = new FakeTransport();
        FakeTransport b = new FakeTransport();
        pairings.join("x", a);
        Peer pb = pairings.join("x", b);
        a.take();
        pairings.leave(pb);
        pairings.leave(pb);
        assertEquals(List.of("/remote:close", "/status:waiting"), a.take());
        assertEquals(1, pairings.connections());
    }

    @Test
    void messageSentAloneIsAnsweredWithTheOriginalsError() {
        FakeTransport a = new FakeTransport();
        Peer pa = pairings.join("x", a);
        a.take();
        pairings.relay(pa, "hello?");
        pairings.relay(pa, ByteBuffer.wrap(new byte[5]));
        assertEquals(List.of("/error:0001:The message was not received by anyone.:hello?",
                "/error:0002:The binary message was not received by anyone.:5 bytes"), a.take());
    }

    @Test
    void relayedTextIsNeverInterpreted() {
        FakeTransport a = new FakeTransport();
        FakeTransport b = new FakeTransport();
        Peer pa = pairings.join("x", a);
        Peer pb = pairings.join("x", b);
        a.take();
        b.take();
        pairings.relay(pa, "/remote:close");
        pairings.relay(pa, "/remote:open");
        assertEquals(List.of("/remote:close", "/remote:open"), b.take());
        pairings.relay(pb, "still paired");
        assertEquals(List.of("still paired"), a.take());
    }

    @Test
    void binaryIsRelayedNotEchoed() {
        FakeTransport a = new FakeTransport();
        FakeTransport b = new FakeTransport();
        Peer pa = pairings.join("x", a);
        pairings.join("x", b);
        a.take();
        b.take();
        pairings.relay(pa, ByteBuffer.wrap("bytes".getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of("binary:bytes"), b.take());
        assertEquals(List.of(), a.take());
    }

    @Test
    void dataSentToALeftPeerNeverReachesItsSuccessor() {
        FakeTransport a = new FakeTransport();
        FakeTransport b = new FakeTransport();
        FakeTransport c = new FakeTransport();
        Peer pa = pairings.join("x", a);
        Peer pb = pairings.join("x", b);
        pairings.leave(pa);
        pairings.join("x", c);
        b.take();
        c.take();
        // pa has left: what it still sends goes nowhere, and b (now with c) does not see it
        pairings.relay(pa, "late");
        assertEquals(List.of(), b.take());
        assertEquals(List.of(), c.take());
        pairings.relay(pb, "to c");
        assertEquals(List.of("to c"), c.take());
    }

    @Test
    void messageRelayedOnAnOldLinkIsRefusedByAReceiverPairedAgain() {
        FakeTransport a = new FakeTransport();
        FakeTransport b = new FakeTransport();
        FakeTransport c = new FakeTransport();
        Peer pa = pairings.join("x", a);
        Peer pb = pairings.join("x", b);
        Route old = pa.route();
        // the race: a's thread read its link, then a left and b was matched with c before a's message was queued
        pairings.leave(pa);
        pairings.join("x", c);
        b.take();
        assertEquals(Peer.Offer.REFUSED, pb.offer(Outbound.text("late"), old));
        pb.flush();
        assertEquals(List.of(), b.take());
    }

    @Test
    void stalledReceiverIsClosedAtItsSendBufferAndItsPeerMatchedAgain() {
        PairsFixture small = new PairsFixture(RelaySettings.of(Map.of(RelaySettings.MAX_MESSAGE_BYTES, "1000", RelaySettings.SEND_BUFFER_BYTES, "4096")));
        FakeTransport a = new FakeTransport();
        FakeTransport b = new FakeTransport();
        Peer pa = small.join("x", a);
        small.join("x", b);
        a.take();
        b.take();
        b.stall();
        String kilobyte = "k".repeat(1000);
        int sent = 0;
        while (b.closeCode() < 0 && sent < 100) {
            small.relay(pa, kilobyte);
            sent++;
        }
        assertEquals(Protocol.CLOSE_SLOW_RECEIVER, b.closeCode());
        assertTrue(sent <= 6, "closed after " + sent + " messages");
        assertTrue(small.sendQueueHighWaterMark() <= 4096);
        assertEquals(List.of("/remote:close", "/status:waiting"), a.take());
        assertEquals(1, small.connections());
    }

    /** Messages of at most 1,000 bytes and a send buffer of 4,096: a few messages fill it. */
    private static PairsFixture smallBuffers() {
        return new PairsFixture(RelaySettings.of(Map.of(RelaySettings.MAX_MESSAGE_BYTES, "1000", RelaySettings.SEND_BUFFER_BYTES, "4096")));
    }

    @Test
    void aSlowReceiverPausesASenderThatCanBePausedUntilItsQueueDrains() {
        FakeTransport a = new FakeTransport(true);
        FakeTransport b = new FakeTransport();
        PairsFixture small = smallBuffers();
        Peer pa = small.join("x", a);
        small.join("x", b);
        b.take();
        b.stall();
        String kilobyte = "k".repeat(1000);
        small.relay(pa, kilobyte); // in flight
        small.relay(pa, kilobyte); // queued: 2,000 bytes of 4,096 with the one in flight, not over half
        assertFalse(a.paused());
        small.relay(pa, kilobyte); // 3,000: over half
        assertTrue(a.paused(), "the sender is paused while the receiver's queue is over half its send buffer");
        b.complete(); // everything drains
        assertFalse(a.paused(), "resumed once the queue is down to a quarter");
        assertEquals(-1, b.closeCode());
        assertEquals(1, a.pauses());
        assertEquals(3, b.take().size());
    }

    @Test
    void aPauseLastsAtMostTwoSecondsThenTheSendBufferDecides() {
        FakeTransport a = new FakeTransport(true);
        FakeTransport b = new FakeTransport();
        PairsFixture small = smallBuffers();
        Peer pa = small.join("x", a);
        small.join("x", b);
        b.take();
        b.stall();
        for (int i = 0; i < 3; i++) {
            small.relay(pa, "k".repeat(1000));
        }
        assertTrue(a.paused());
        long start = System.nanoTime();
        long deadline = start + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (a.paused() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(5_000_000); // polls the condition: the relay's pause timer resumes the sender
        }
        long waited = System.nanoTime() - start;
        assertFalse(a.paused(), "a receiver that stopped reading must not hold its sender forever");
        assertTrue(waited >= java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(1500), "resumed after " + waited / 1_000_000 + " ms");
        small.relay(pa, "k".repeat(1000));
        small.relay(pa, "k".repeat(1000));
        assertEquals(1, a.pauses(), "no second pause while the receiver has not read: the send buffer decides");
        assertEquals(Protocol.CLOSE_SLOW_RECEIVER, b.closeCode(), "then the send buffer closes the stalled receiver");
    }

    @Test
    void aSenderThatCannotBePausedIsNotMarkedPaused() {
        FakeTransport a = new FakeTransport(false);
        FakeTransport b = new FakeTransport();
        PairsFixture small = smallBuffers();
        Peer pa = small.join("x", a);
        small.join("x", b);
        b.stall();
        for (int i = 0; i < 4; i++) {
            small.relay(pa, "k".repeat(1000));
        }
        assertEquals(0, a.pauses());
    }

    @Test
    void aMessageToAReceiverWhoseLeaveIsUnderWayIsAnsweredAfterTheRemoteClose() {
        FakeTransport a = new FakeTransport();
        FakeTransport b = new FakeTransport();
        Peer pa = pairings.join("x", a);
        Peer pb = pairings.join("x", b);
        a.take();
        pb.retire(); // the receiver's leave has begun on another thread and not yet ended the link
        pairings.relay(pa, "hello");
        List<String> heard = a.take();
        assertEquals(3, heard.size(), heard.toString());
        assertEquals(List.of("/remote:close", "/status:waiting"), heard.subList(0, 2));
        assertTrue(heard.get(2).startsWith("/error:0001:"), heard.toString());
        pairings.leave(pb); // the leave finishes: nothing more for the sender
        assertEquals(List.of(), a.take());
        assertEquals(1, pairings.waiting());
    }

    @Test
    void oneSendInFlightAndOrderKept() {
        FakeTransport a = new FakeTransport();
        FakeTransport b = new FakeTransport();
        Peer pa = pairings.join("x", a);
        pairings.join("x", b);
        b.take();
        b.stall();
        for (int i = 0; i < 50; i++) {
            pairings.relay(pa, "m" + i);
        }
        assertEquals(List.of("m0"), b.take());
        b.complete();
        List<String> rest = b.take();
        assertEquals(49, rest.size());
        for (int i = 0; i < 49; i++) {
            assertEquals("m" + (i + 1), rest.get(i));
        }
        assertEquals(1, b.maxSendsInFlight());
    }

    @Test
    void heartbeatClosesWhoDoesNotAnswerAndPingsWhoDoes() {
        FakeTransport quiet = new FakeTransport();
        FakeTransport lively = new FakeTransport();
        Peer silent = pairings.join("h", quiet);
        Peer answering = pairings.join("h", lively);
        assertEquals(Liveness.Beat.FINE, silent.beat(true, 0));
        assertEquals(Liveness.Beat.FINE, answering.beat(true, 0));
        answering.heard();
        assertEquals(Liveness.Beat.DEAD, silent.beat(true, 0));
        assertEquals(Liveness.Beat.FINE, answering.beat(true, 0));
        assertEquals(1, quiet.pings());
        assertEquals(2, lively.pings());
        assertEquals(Liveness.Beat.FINE, silent.beat(false, 0), "no verdict on a tick without a ping");
    }

    @Test
    void idleClientIsFoundAfterItsTicks() {
        Peer peer = pairings.join("i", new FakeTransport());
        assertEquals(Liveness.Beat.FINE, peer.beat(false, 2), "joining counts as activity");
        assertEquals(Liveness.Beat.FINE, peer.beat(false, 2));
        peer.received();
        assertEquals(Liveness.Beat.FINE, peer.beat(false, 2));
        assertEquals(Liveness.Beat.FINE, peer.beat(false, 2));
        assertEquals(Liveness.Beat.IDLE, peer.beat(false, 2));
    }

    @Test
    void relayThatIsFullClosesNewcomersWith1013() {
        PairsFixture full = new PairsFixture(RelaySettings.of(Map.of(RelaySettings.MAX_CONNECTIONS, "2")));
        FakeTransport a = new FakeTransport();
        FakeTransport b = new FakeTransport();
        FakeTransport c = new FakeTransport();
        Peer pa = full.join("x", a);
        full.join("y", b);
        assertEquals(null, full.join("z", c));
        assertEquals(Protocol.CLOSE_TRY_AGAIN_LATER, c.closeCode());
        full.leave(pa);
        FakeTransport d = new FakeTransport();
        full.join("z", d);
        assertEquals(List.of("/status:waiting"), d.take());
    }

    @Test
    void stoppingRelayClosesEveryoneAndNewcomersWith1001() {
        FakeTransport a = new FakeTransport();
        pairings.join("x", a);
        pairings.shutdown();
        assertEquals(Protocol.CLOSE_GOING_AWAY, a.closeCode());
        FakeTransport late = new FakeTransport();
        assertEquals(null, pairings.join("x", late));
        assertEquals(Protocol.CLOSE_GOING_AWAY, late.closeCode());
    }

    @Test
    void stoppingRelayDeliversWhatItQueuedBeforeClosing() {
        FakeTransport a = new FakeTransport();
        FakeTransport b = new FakeTransport();
        Peer pa = pairings.join("x", a);
        pairings.join("x", b);
        b.take();
        b.stall();
        pairings.relay(pa, "one");
        pairings.relay(pa, "two");
        pairings.shutdown();
        assertEquals(-1, b.closeCode(), "closed before its queue was sent");
        b.complete();
        assertEquals(List.of("one", "two"), b.take());
        assertEquals(Protocol.CLOSE_GOING_AWAY, b.closeCode());
    }

    @Test
    void longQueueOfInlineCompletionsDoesNotRecurse() {
        FakeTransport a = new FakeTransport();
        FakeTransport b = new FakeTransport();
        Peer pa = pairings.join("x", a);
        pairings.join("x", b);
        b.take();
        b.stall();
        for (int i = 0; i < 20_000; i++) {
            pairings.relay(pa, "");
        }
        b.complete(); // the other 19,999 complete inline, one after another
        assertEquals(20_000, b.take().size());
        assertFalse(b.closeCode() >= 0);
    }
}
