package io.websocketrelay.launcher.io;

import io.websocketrelay.config.Key;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import org.glassfish.grizzly.IOStrategy;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.grizzly.strategies.SameThreadIOStrategy;
import org.glassfish.grizzly.strategies.WorkerThreadIOStrategy;

/**
 * How the standalone relay's Grizzly transport runs its I/O: which thread handles a read and how many selector
 * threads there are. Read like the other keys: environment variable, then system property, then default.
 *
 * @param sameThread whether a read is handled on the selector thread that saw it ({@link SameThreadIOStrategy}),
 *                   rather than handed to a worker pool ({@link WorkerThreadIOStrategy})
 * @param selectors  selector threads; 0 for one per processor the JVM may run on
 */
public record IoTuning(boolean sameThread, int selectors) {

    /**
     * {@code same} (default) or {@code worker}. The relay never blocks while handling a message (sends are
     * asynchronous, locks are held for a few field updates), so the selector thread can relay a message itself: no
     * hand-off to a worker thread and back per read, which on one core doubled the cost of a message.
     */
    public static final Key IO_STRATEGY = new Key("relay.io-strategy", "same",
            "same: the selector thread relays a message itself (the relay never blocks while handling one);"
                    + " worker: hand each read to a worker pool");

    /**
     * Selector threads; default 0: one per processor the JVM may run on. Grizzly's own default is higher (two on a
     * relay pinned to one core): two busy selector threads on one core take turns by time slice, and a message
     * that arrives on the waiting one waits a slice, measured as a p99 of 5-7 ms against 2.8 ms with one thread in
     * ping-pong.
     */
    public static final Key SELECTOR_THREADS = new Key("relay.selector-threads", "0",
            "selector threads; 0 = one per processor the JVM may use");

    /** Every key, in the order of {@code --help}. */
    public static final List<Key> KEYS = List.of(IO_STRATEGY, SELECTOR_THREADS);

    /**
     * @param environment the environment variables
     * @param properties  the system properties
     * @return the tuning these name
     * @throws IllegalArgumentException naming the key of a value that is not valid
     */
    public static IoTuning read(UnaryOperator<String> environment, UnaryOperator<String> properties) {
        String strategy = IO_STRATEGY.read(environment, properties).toLowerCase(Locale.ROOT);
        if (!strategy.equals("same") && !strategy.equals("worker")) {
            throw new IllegalArgumentException(IO_STRATEGY.variable() + " must be 'same' or 'worker', not '"
                    + strategy + "'");
        }
        int selectors = (int) Math.min(1024, SELECTOR_THREADS.parseLong(
                SELECTOR_THREADS.read(environment, properties), 0));
        return new IoTuning(strategy.equals("same"), selectors);
    }

    public static IoTuning fromEnvironment() {
        return read(System::getenv, System::getProperty);
    }

    /** Applies this tuning to a transport that has not started. */
    public void applyTo(TCPNIOTransport transport) {
        IOStrategy strategy = sameThread ? SameThreadIOStrategy.getInstance() : WorkerThreadIOStrategy.getInstance();
        transport.setIOStrategy(strategy);
        transport.setSelectorRunnersCount(selectors > 0 ? selectors : Runtime.getRuntime().availableProcessors());
    }
}
