package io.websocketrelay.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.websocketrelay.config.RelaySettings;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rooms protocol with fake connections: joins, broadcasts, direct texts, refusals, leaves and limits. */
class RoomsTest {

    private final RelayStats stats = new RelayStats();
    private final RelaySettings settings = RelaySettings.of(Map.of(RelaySettings.ROOM_CAPACITY, "3",
            RelaySettings.MAX_MESSAGE_BYTES, "1000", RelaySettings.SEND_BUFFER_BYTES, "4096"));
    private final Registry registry = new Registry(settings, stats);
    private final Rooms rooms = new Rooms(registry, settings, stats);

    /** A member and what it was told. */
    private record Member(Peer peer, FakeTransport transport, String id) {
        void send(String text) {
            peer.relay(Outbound.text(text));
        }

        List<String> take() {
            return transport.take();
        }
    }

    private Member join(String room) {
        FakeTransport transport = new FakeTransport();
        Peer peer = rooms.join(room, transport);
        List<String> first = transport.take();
        String joined = first.get(0);
        assertTrue(joined.startsWith("/room:joined:"), joined);
        String id = joined.substring("/room:joined:".length(), joined.indexOf(':', "/room:joined:".length()));
        assertTrue(id.matches("[A-Za-z0-9_-]{11}"), id);
        return new Member(peer, transport, id);
    }

    @Test
    void joinerLearnsTheOthersInJoinOrderAndTheyLearnOfIt() {
        FakeTransport first = new FakeTransport();
        rooms.join("r", first);
        String a = first.take().get(0);
        assertTrue(a.matches("/room:joined:[A-Za-z0-9_-]{11}:"), a);
        String aId = a.substring(13, 24);
        FakeTransport second = new FakeTransport();
        rooms.join("r", second);
        String b = second.take().get(0);
        String bId = b.substring(13, 24);
        assertEquals("/room:joined:" + bId + ":" + aId, b);
        assertEquals(List.of("/member:open:" + bId), first.take());
        FakeTransport third = new FakeTransport();
        rooms.join("r", third);
        String c = third.take().get(0);
        assertTrue(c.endsWith(":" + aId + "," + bId), c);
        assertEquals(1, rooms.rooms());
        assertEquals(3, rooms.members());
    }

    @Test
    void broadcastReachesEveryOtherMemberOnceAndNeverTheSender() {
        Member a = join("r");
        Member b = join("r");
        Member c = join("r");
        a.take();
        b.take();
        a.send("hello");
        a.peer().relay(Outbound.binary(ByteBuffer.wrap("bytes".getBytes(StandardCharsets.UTF_8))));
        assertEquals(List.of(), a.take());
        assertEquals(List.of("hello", "binary:bytes"), b.take());
        assertEquals(List.of("hello", "binary:bytes"), c.take());
        assertEquals(4, stats.roomDeliveries());
    }

    @Test
    void directTextGoesToItsTargetAloneWithTheSender() {
        Member a = join("r");
        Member b = join("r");
        Member c = join("r");
        a.take();
        b.take();
        a.send("/to:" + b.id() + ":offer:sdp=1");
        a.send("/to:" + c.id() + ":");
        assertEquals(List.of("/from:" + a.id() + ":offer:sdp=1"), b.take());
        assertEquals(List.of("/from:" + a.id() + ":"), c.take());
        assertEquals(List.of(), a.take());
    }

    @Test
    void directTextToNobodyOrToOneselfIsAnswered0003() {
        Member a = join("r");
        Member b = join("r");
        a.take();
        for (String text : List.of("/to:nobody:x", "/to:" + a.id() + ":me", "/to:" + b.id(), "/to:")) {
            a.send(text);
            assertEquals(List.of("/error:0003:No such member in the room.:" + text), a.take());
        }
        assertEquals(List.of(), b.take());
    }

    @Test
    void reservedPrefixesAreRefusedFirstEvenWhenAlone() {
        Member a = join("r");
        for (String text : List.of("/room:joined:x:", "/member:close:x", "/from:x:y", "/error:0001:x", "/status:waiting",
                "/remote:open")) {
            a.send(text);
            assertEquals(List.of("/error:0004:Reserved prefix.:" + text), a.take());
        }
        Member b = join("r");
        a.take();
        a.send("/member:open:fake");
        assertEquals(List.of("/error:0004:Reserved prefix.:/member:open:fake"), a.take());
        assertEquals(List.of(), b.take());
        a.send("/other:prefix");
        assertEquals(List.of("/other:prefix"), b.take());
    }

    @Test
    void aloneInTheRoomGetsTheNotReceivedAnswers() {
        Member a = join("r");
        a.send("anyone?");
        a.peer().relay(Outbound.binary(ByteBuffer.wrap(new byte[7])));
        assertEquals(List.of("/error:0001:The message was not received by anyone.:anyone?",
                "/error:0002:The binary message was not received by anyone.:7 bytes"), a.take());
    }

    @Test
    void leaverIsAnnouncedAfterItsMessagesAndSendsNothingMore() {
        Member a = join("r");
        Member b = join("r");
        a.take();
        b.send("last words");
        b.peer().leave();
        b.send("after leaving");
        assertEquals(List.of("last words", "/member:close:" + b.id()), a.take());
        assertEquals(1, rooms.members());
        a.peer().leave();
        assertEquals(0, rooms.rooms());
        assertEquals(0, registry.connections());
    }

    @Test
    void joinPastTheCapacityIsClosedWith1013AndNobodyHearsOfIt() {
        Member a = join("r");
        join("r");
        join("r");
        a.take();
        FakeTransport late = new FakeTransport();
        assertNull(rooms.join("r", late));
        assertEquals(Protocol.CLOSE_TRY_AGAIN_LATER, late.closeCode());
        assertEquals(List.of(), late.take());
        assertEquals(List.of(), a.take());
        assertEquals(3, registry.connections());
        assertEquals(Map.of("room_full", 1L), stats.handshakesRefused());
    }

    @Test
    void stalledMemberIsClosedAloneAndTheOthersGoOn() {
        Member a = join("r");
        Member b = join("r");
        Member c = join("r");
        a.take();
        b.take();
        c.transport().stall();
        String kilobyte = "k".repeat(1000);
        for (int i = 0; i < 10; i++) {
            a.send(kilobyte);
        }
        assertEquals(Protocol.CLOSE_SLOW_RECEIVER, c.transport().closeCode());
        List<String> atB = b.take();
        assertEquals(10, atB.stream().filter(kilobyte::equals).count(), "b got every message");
        assertEquals(1, atB.stream().filter(("/member:close:" + c.id())::equals).count(), "b heard once that c left");
        assertEquals(11, atB.size());
        a.send("still here");
        assertEquals(List.of("still here"), b.take());
        assertEquals(2, rooms.members());
    }

    @Test
    void roomsOfOneIdAndPairsOfTheSameIdAreUnrelated() {
        Member a = join("x");
        Member b = join("y");
        a.send("to x");
        assertEquals(List.of(), b.take());
        assertEquals(2, rooms.rooms());
    }
}
