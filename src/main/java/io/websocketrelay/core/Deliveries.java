package io.websocketrelay.core;

import java.util.function.Consumer;

/**
 * Lets a container gather the writes of many deliveries into few: the launcher's connection writer collects every
 * frame written during a round and writes each connection's frames at once when the round ends. A container's own
 * reads run in such a round; a cluster node runs the messages of one batch from another node in one too, instead of
 * one socket write per message.
 */
public final class Deliveries {

    private static volatile Consumer<Runnable> rounds = Runnable::run;

    private Deliveries() {
    }

    /** Sets how a round runs (the launcher's writer); the default runs it as it is. */
    public static void gatherWith(Consumer<Runnable> runner) {
        rounds = runner;
    }

    /** Runs {@code deliveries} as one round of writes. */
    public static void inOneRound(Runnable deliveries) {
        rounds.accept(deliveries);
    }
}
