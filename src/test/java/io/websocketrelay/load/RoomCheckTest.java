package io.websocketrelay.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.websocketrelay.core.Protocol;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The room member's checks: of the messages it receives ({@link RoomCheck}) and of its room's control messages. */
class RoomCheckTest {

    private static final String A = "aaaaaaaaaaa";
    private static final String B = "bbbbbbbbbbb";
    private static final String C = "C-c_C9c0cCc";
    private static final String D = "ddddddddddd";

    private static Payload.Stamp from(int room, int index, long seq) {
        return new Payload.Stamp(seq, RoomCheck.tag(room, index, 4), 0);
    }

    @Test
    void eachMessageOfTheRoomsSendersIsCheckedInItsOwnOrder() {
        Errors errors = new Errors();
        RoomCheck check = new RoomCheck(2, 1, 4, 3, errors); // room 2, member 1 of 4, members 0..2 send
        assertEquals(0, check.accept(from(2, 0, 0)));
        assertEquals(2, check.accept(from(2, 2, 0)));
        assertEquals(0, check.accept(from(2, 0, 1)));
        assertEquals(-1, check.accept(from(2, 0, 1)));
        assertEquals(1, errors.duplicated.sum());
        assertEquals(2, check.accept(from(2, 2, 5)), "a gap still counts the message as received");
        assertEquals(1, errors.outOfOrder.sum());
        assertEquals(2, check.received(0));
        assertEquals(2, check.received(2));
        assertEquals(2, errors.total());
    }

    @Test
    void echoMisrouteAndCorruptionAreCaught() {
        Errors errors = new Errors();
        RoomCheck check = new RoomCheck(2, 1, 4, 3, errors);
        assertEquals(-1, check.accept(from(2, 1, 0)));
        assertEquals(1, errors.echoed.sum());
        assertEquals(-1, check.accept(from(1, 0, 0)), "a sender of the room before");
        assertEquals(-1, check.accept(from(3, 0, 0)), "a sender of the room after");
        assertEquals(-1, check.accept(from(2, 3, 0)), "a member that does not send");
        assertEquals(-1, check.accept(new Payload.Stamp(0, -1, 0)));
        assertEquals(4, errors.misrouted.sum());
        assertEquals(-1, check.accept(null));
        assertEquals(1, errors.corrupt.sum());
        assertEquals(0, check.received(0));
        Map<String, Object> figures = new LinkedHashMap<>();
        errors.addTo(figures);
        assertEquals(1L, figures.get("err_echoed"));
        assertEquals(false, figures.get("ok"));
    }

    @Test
    void missingCountsEveryOtherSendersShortfall() {
        RoomCheck check = new RoomCheck(0, 1, 4, 3, new Errors());
        check.accept(from(0, 0, 0));
        check.accept(from(0, 0, 1));
        check.accept(from(0, 2, 0));
        assertEquals(0, check.missing(new long[] {2, 99, 1}), "its own messages are not awaited");
        assertEquals(1 + 3, check.missing(new long[] {3, 0, 4}));
    }

    @Test
    void tagsDoNotOverflowQuietly() {
        assertEquals(7, RoomCheck.tag(1, 3, 4));
        assertThrows(ArithmeticException.class, () -> RoomCheck.tag(Integer.MAX_VALUE, 0, 2));
    }

    @Test
    void aRoomIsCompleteWithItsJoinedListAndTheOpens() {
        RoomView view = new RoomView(3);
        assertEquals(RoomView.Event.JOINED, view.accept(Protocol.ROOM_JOINED + A + ":" + B));
        assertEquals(A, view.self());
        assertFalse(view.complete());
        assertEquals(RoomView.Event.OPENED, view.accept(Protocol.MEMBER_OPEN + C));
        assertEquals(RoomView.Event.OPENED, view.accept(Protocol.MEMBER_OPEN + D));
        assertTrue(view.complete());
        assertEquals(RoomView.Event.CLOSED, view.accept(Protocol.MEMBER_CLOSE + B));
        assertFalse(view.complete());
        assertEquals(2, view.known());
    }

    @Test
    void aloneTheListIsEmpty() {
        RoomView view = new RoomView(1);
        assertEquals(RoomView.Event.JOINED, view.accept(Protocol.ROOM_JOINED + A + ":"));
        assertEquals(0, view.known());
        assertEquals(RoomView.Event.OPENED, view.accept(Protocol.MEMBER_OPEN + B));
        assertTrue(view.complete());
    }

    @Test
    void controlMessagesThatShouldNotComeAreInvalid() {
        RoomView view = new RoomView(2);
        assertEquals(RoomView.Event.INVALID, view.accept(Protocol.MEMBER_OPEN + B), "before joined");
        assertEquals(RoomView.Event.INVALID, view.accept(Protocol.ROOM_JOINED + "short:"));
        assertEquals(RoomView.Event.INVALID, view.accept(Protocol.ROOM_JOINED + A + ":" + A), "itself as another");
        assertEquals(RoomView.Event.INVALID, view.accept(Protocol.ROOM_JOINED + A + ":" + B + "," + B));
        assertEquals(RoomView.Event.INVALID, view.accept(Protocol.ROOM_JOINED + A + ":" + B + "," + C + "," + D),
                "more members than the room should have");
        assertEquals(RoomView.Event.INVALID, view.accept(Protocol.ROOM_JOINED + A));
        assertNull(view.self());
        assertEquals(RoomView.Event.JOINED, view.accept(Protocol.ROOM_JOINED + A + ":" + B));
        assertEquals(RoomView.Event.INVALID, view.accept(Protocol.ROOM_JOINED + A + ":" + B), "a second joined");
        assertEquals(RoomView.Event.INVALID, view.accept(Protocol.MEMBER_OPEN + B), "already there");
        assertEquals(RoomView.Event.INVALID, view.accept(Protocol.MEMBER_OPEN + A), "itself");
        assertEquals(RoomView.Event.INVALID, view.accept(Protocol.MEMBER_OPEN + "bad id!!!!!"));
        assertEquals(RoomView.Event.INVALID, view.accept(Protocol.MEMBER_CLOSE + C), "never opened");
        assertEquals(RoomView.Event.OPENED, view.accept(Protocol.MEMBER_OPEN + C));
        assertEquals(RoomView.Event.INVALID, view.accept(Protocol.MEMBER_OPEN + D), "one more than expected");
        assertEquals(RoomView.Event.INVALID, view.accept(Protocol.NOT_RECEIVED_TEXT + "x"));
        assertEquals(RoomView.Event.INVALID, view.accept(Protocol.DIRECT_FROM + B + ":x"));
        assertEquals(RoomView.Event.INVALID, view.accept(Protocol.CONNECTED));
        assertTrue(view.complete());
    }

    @Test
    void memberIds() {
        assertTrue(RoomView.isMemberId("k3J9xQ2aLmA"));
        assertTrue(RoomView.isMemberId("-_-_-_-_-_-"));
        assertFalse(RoomView.isMemberId("k3J9xQ2aLm"));
        assertFalse(RoomView.isMemberId("k3J9xQ2aLmAB"));
        assertFalse(RoomView.isMemberId("k3J9xQ2aLm="));
        assertFalse(RoomView.isMemberId("k3J9xQ2aLm:"));
    }

    @Test
    void orderSaysWhetherASequenceNumberIsNew() {
        Errors errors = new Errors();
        SequenceCheck order = new SequenceCheck(0);
        assertTrue(errors.order(0, order));
        assertTrue(errors.order(2, order));
        assertFalse(errors.order(1, order));
        assertEquals(1, errors.outOfOrder.sum());
        assertEquals(1, errors.duplicated.sum());
    }
}
