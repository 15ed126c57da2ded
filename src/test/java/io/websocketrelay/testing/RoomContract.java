package io.websocketrelay.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.websocket.CloseReason;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What every deployment must do for rooms ({@code /room/<id>}), written once as a test interface that
 * {@link RelayContract} implements, so it runs wherever the pair contract runs: on the launcher and on every
 * application server.
 */
public interface RoomContract {

    /** @return a client connected to {@code /room/<rawRoomId>} (under the target's prefix), closed after the test */
    RelayClient joinRoom(String rawRoomId) throws IOException;

    /** @return a raw-socket client upgraded on {@code /room/<rawRoomId>}, closed after the test */
    WireClient rawRoom(String rawRoomId, int receiveBuffer) throws IOException;

    /** @return the raw-socket answer to an upgrade of {@code path} under the target's prefix */
    WireClient rawUpgrade(String path) throws IOException;

    /** @return the deployment's room capacity ({@code RELAY_ROOM_CAPACITY}) */
    default int roomCapacity() {
        return 50;
    }

    /** @return the deployment's largest message, in bytes */
    int messageLimit();

    /** A member as the test sees it: its client and the id the relay gave it. */
    record Member(RelayClient client, String id) {
    }

    /** Joins a room and checks the first message: {@code /room:joined:<you>:<others>} with exactly these others. */
    default Member join(String room, Member... others) throws IOException {
        RelayClient client = joinRoom(room);
        String joined = client.nextText();
        assertTrue(joined.startsWith("/room:joined:"), joined);
        int colon = joined.indexOf(':', "/room:joined:".length());
        String id = joined.substring("/room:joined:".length(), colon);
        assertTrue(id.matches("[A-Za-z0-9_-]{1,32}"), "member id " + id);
        List<String> expected = new ArrayList<>();
        for (Member other : others) {
            expected.add(other.id());
        }
        assertEquals(String.join(",", expected), joined.substring(colon + 1), "the others, in join order");
        for (Member other : others) {
            other.client().expect("/member:open:" + id);
        }
        return new Member(client, id);
    }

    static String newRoom() {
        return "room-" + UUID.randomUUID();
    }

    @Test
    default void membersHearEveryOtherMemberAndNeverThemselves() throws IOException {
        String room = newRoom();
        Member a = join(room);
        Member b = join(room, a);
        Member c = join(room, a, b);
        a.client().send("hello all");
        byte[] bytes = {0, 1, 2, (byte) 255};
        a.client().send(bytes);
        for (Member other : List.of(b, c)) {
            assertEquals("hello all", other.client().nextText());
            assertArrayEquals(bytes, other.client().nextBinary());
        }
        b.client().send("from b");
        assertEquals("from b", a.client().nextText(), "a got b's message and nothing of its own before it");
        assertEquals("from b", c.client().nextText());
    }

    @Test
    default void directTextReachesItsTargetAloneWithItsSender() throws IOException {
        String room = newRoom();
        Member a = join(room);
        Member b = join(room, a);
        Member c = join(room, a, b);
        a.client().send("/to:" + c.id() + ":offer:v=0");
        assertEquals("/from:" + a.id() + ":offer:v=0", c.client().nextText());
        a.client().send("/to:" + b.id() + ":");
        assertEquals("/from:" + a.id() + ":", b.client().nextText());
        a.client().send("marker");
        assertEquals("marker", c.client().nextText(), "c got nothing between the direct text and the marker");
        assertEquals("marker", b.client().nextText());
    }

    @Test
    default void refusedTextsAreAnsweredAndReachNobody() throws IOException {
        String room = newRoom();
        Member a = join(room);
        a.client().send("anyone?");
        a.client().expect("/error:0001:The message was not received by anyone.:anyone?");
        a.client().send(new byte[3]);
        a.client().expect("/error:0002:The binary message was not received by anyone.:3 bytes");
        a.client().send("/status:connected");
        a.client().expect("/error:0004:Reserved prefix.:/status:connected");
        Member b = join(room, a);
        for (String forged : List.of("/member:close:" + b.id(), "/from:" + b.id() + ":x", "/room:joined:x:",
                "/remote:close", "/error:0001:x")) {
            a.client().send(forged);
            a.client().expect("/error:0004:Reserved prefix.:" + forged);
        }
        for (String direct : List.of("/to:nobody:x", "/to:" + a.id() + ":self", "/to:" + b.id())) {
            a.client().send(direct);
            a.client().expect("/error:0003:No such member in the room.:" + direct);
        }
        a.client().send("/other");
        assertEquals("/other", b.client().nextText(), "b got none of the refused texts");
    }

    @Test
    default void memberThatLeavesIsAnnouncedToTheOthers() throws IOException {
        String room = newRoom();
        Member a = join(room);
        Member b = join(room, a);
        Member c = join(room, a, b);
        b.client().send("bye");
        b.client().close();
        a.client().expect("bye", "/member:close:" + b.id());
        c.client().expect("bye", "/member:close:" + b.id());
        Member d = join(room, a, c);
        d.client().send("new");
        a.client().expect("new");
    }

    @Test
    default void memberDroppedWithoutCloseFrameIsAnnounced() throws IOException {
        String room = newRoom();
        Member a = join(room);
        WireClient dropped = rawRoom(room, 0);
        String joined = dropped.readText();
        String id = joined.substring("/room:joined:".length(), joined.indexOf(':', "/room:joined:".length()));
        a.client().expect("/member:open:" + id);
        dropped.reset();
        a.client().expect("/member:close:" + id);
    }

    @Test
    default void frameTypesAndBytesAreKeptOnTheWire() throws IOException {
        String room = newRoom();
        Member a = join(room);
        WireClient wire = rawRoom(room, 0);
        String joined = wire.readText();
        assertTrue(joined.startsWith("/room:joined:") && joined.endsWith(":" + a.id()), joined);
        a.client().nextText(); // its /member:open
        String text = "héllo ✓ \uD83D\uDE42 " + "ü".repeat(messageLimit() / 4);
        byte[] binary = new byte[messageLimit() / 2];
        new java.util.Random(11).nextBytes(binary);
        a.client().send(text);
        a.client().send(binary);
        WireClient.Frame first = wire.read();
        assertEquals(WireClient.TEXT, first.opcode());
        assertEquals(text, first.text());
        WireClient.Frame second = wire.read();
        assertEquals(WireClient.BINARY, second.opcode());
        assertArrayEquals(binary, second.payload());
    }

    @Test
    default void joinPastTheCapacityIsClosedWith1013AndNobodyHearsOfIt() throws IOException {
        String room = newRoom();
        Member first = join(room);
        List<Member> members = new ArrayList<>(List.of(first));
        for (int i = 1; i < roomCapacity(); i++) {
            RelayClient client = joinRoom(room);
            String joined = client.nextText();
            assertTrue(joined.startsWith("/room:joined:"), joined);
            members.add(new Member(client, joined.substring(13, joined.indexOf(':', 13))));
        }
        for (int i = 0; i < members.size(); i++) {
            for (int later = i + 1; later < members.size(); later++) {
                members.get(i).client().expect("/member:open:" + members.get(later).id());
            }
        }
        RelayClient late = joinRoom(room);
        CloseReason reason = late.awaitClose();
        assertEquals(1013, reason.getCloseCode().getCode());
        assertTrue(reason.getReasonPhrase().startsWith("room full"), reason.getReasonPhrase());
        first.client().send("still " + members.size());
        assertEquals("still " + members.size(), members.get(1).client().nextText(), "no open or close of the late one");
    }

    @Test
    default void stalledMemberIsClosedAloneAndTheOthersGoOn() throws IOException {
        String room = newRoom();
        Member sender = join(room);
        Member reader = join(room, sender);
        WireClient stalled = rawRoom(room, 4096);
        String joined = stalled.readText();
        String id = joined.substring("/room:joined:".length(), joined.indexOf(':', "/room:joined:".length()));
        sender.client().expect("/member:open:" + id);
        reader.client().expect("/member:open:" + id);
        byte[] chunk = new byte[messageLimit()];
        RelayClient.Text leftNotice = new RelayClient.Text("/member:close:" + id);
        int sent = 0;
        int received = 0;
        int closes = 0;
        boolean closed = false;
        // bounded: a relay that buffers without limit is caught long before 200 MB; the reading member takes each
        // message before the next is sent, so only the stalled one falls behind
        while (sent < 3200 && !closed) {
            sender.client().send(chunk);
            sent++;
            RelayClient.Event event = reader.client().next();
            if (event.equals(leftNotice)) {
                closes++;
                event = reader.client().next();
            }
            assertEquals(chunk.length, ((RelayClient.Binary) event).data().length);
            received++;
            RelayClient.Event told = sender.client().poll();
            closed = told != null;
            if (closed) {
                assertEquals(leftNotice, told);
            }
        }
        assertTrue(closed, "the stalled member was never closed after " + sent + " messages");
        sender.client().send("after the stall");
        while (true) {
            RelayClient.Event event = reader.client().next();
            if (event.equals(leftNotice)) {
                closes++;
            } else {
                assertEquals(new RelayClient.Text("after the stall"), event);
                break;
            }
        }
        assertEquals(sent, received, "the reading member got every message");
        assertEquals(1, closes, "the reading member heard once that the stalled one left");
    }

    @Test
    default void roomPathsThatAreNotOneRoomAreNotFoundAndRoomAloneIsAPairId() throws IOException {
        for (String path : new String[] {"/room/", "/room/a/b"}) {
            try (WireClient client = rawUpgrade(path)) {
                assertEquals(404, client.status(), "upgrade of " + path);
            }
        }
        WireClient pair = rawUpgrade("/room");
        assertEquals(101, pair.status());
        String first = pair.readText();
        assertTrue(first.equals("/status:waiting") || first.equals("/status:connected"), first);
    }
}
