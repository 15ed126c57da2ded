package io.websocketrelay.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.websocketrelay.config.RelaySettings;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * The pair protocol over a matchmaker whose answers come later, as a cluster's do (a Redis round trip): a client
 * sees the same sequences as with one that answers at once.
 */
class SlowMatchmakerTest {

    /** Answers each claim when the test says so, as the in-memory matchmaker would have. */
    private static final class Later implements Matchmaker {
        private final LocalMatchmaker decides = new LocalMatchmaker();
        private final ArrayDeque<Runnable> answers = new ArrayDeque<>();
        /** When set, the next claim is answered with it (null: "you wait") instead of the in-memory decision. */
        private Peer next = NOT_FORCED;
        private static final Peer NOT_FORCED = new Peer("-", new FakeTransport(), 1 << 20, null, new RelayStats());

        @Override
        public CompletionStage<Peer> claim(String id, Peer peer) {
            CompletableFuture<Peer> answer = new CompletableFuture<>();
            Peer forced = next;
            next = NOT_FORCED;
            if (forced != NOT_FORCED) {
                answers.add(() -> answer.complete(forced));
            } else {
                answers.add(() -> decides.claim(id, peer).thenAccept(answer::complete));
            }
            return answer;
        }

        @Override
        public void withdraw(String id, Peer peer) {
            decides.withdraw(id, peer);
        }

        @Override
        public int waiting() {
            return decides.waiting();
        }

        void answerAll() {
            while (!answers.isEmpty()) {
                answers.poll().run();
            }
        }
    }

    private final RelaySettings settings = RelaySettings.defaults();
    private final RelayStats stats = new RelayStats();
    private final Later matchmaker = new Later();
    private final Pairs pairs = new Pairs(new Registry(settings, stats), matchmaker, settings, stats);

    @Test
    void whatAClientSendsWhileItsMatchingIsOnItsWayIsAnsweredAfterItHearsItWaits() {
        FakeTransport a = new FakeTransport();
        Peer first = pairs.join("id", a);
        pairs.relay(first, Outbound.text("too early"));
        assertEquals(List.of(), a.take(), "nothing before the matchmaker answered");
        matchmaker.answerAll();
        assertEquals(List.of(Protocol.WAITING, Protocol.NOT_RECEIVED_TEXT + "too early"), a.take());
    }

    @Test
    void theSurvivorOfAPairHearsRemoteCloseThenWaitingThenTheAnswersToWhatItSentMeanwhile() {
        FakeTransport a = new FakeTransport();
        FakeTransport b = new FakeTransport();
        Peer first = pairs.join("id", a);
        matchmaker.answerAll();
        Peer second = pairs.join("id", b);
        matchmaker.answerAll();
        assertEquals(List.of(Protocol.WAITING, Protocol.REMOTE_OPEN, Protocol.CONNECTED), a.take());
        assertEquals(List.of(Protocol.CONNECTED), b.take());
        pairs.leave(second);
        pairs.relay(first, Outbound.text("anyone?"));
        assertEquals(List.of(Protocol.REMOTE_CLOSE), a.take(), "the answer waits for the outcome of the matching");
        matchmaker.answerAll();
        assertEquals(List.of(Protocol.WAITING, Protocol.NOT_RECEIVED_TEXT + "anyone?"), a.take());
    }

    @Test
    void aWaiterOfferedAgainThatTakesAnotherWaiterHearsConnectedOnlyAndTheOtherHearsRemoteOpen() {
        FakeTransport a = new FakeTransport();
        FakeTransport c = new FakeTransport();
        // two waiters on one id, as two nodes have after Redis was out: each was told it waits
        matchmaker.next = null;
        Peer first = pairs.join("id", a);
        matchmaker.answerAll();
        matchmaker.next = null;
        Peer other = pairs.join("id", c);
        matchmaker.answerAll();
        assertEquals(List.of(Protocol.WAITING), a.take());
        assertEquals(List.of(Protocol.WAITING), c.take());
        // Redis is back: the first is offered again and takes the other
        matchmaker.next = other;
        pairs.rematch(first);
        matchmaker.answerAll();
        assertEquals(List.of(Protocol.CONNECTED), a.take(), "/remote:open goes to one side of a pair only");
        assertEquals(List.of(Protocol.REMOTE_OPEN, Protocol.CONNECTED), c.take());
        pairs.relay(first, Outbound.text("found you"));
        assertEquals(List.of("found you"), c.take());
    }
}
