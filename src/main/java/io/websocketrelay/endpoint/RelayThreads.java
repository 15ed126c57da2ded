package io.websocketrelay.endpoint;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The relay's own threads, for work that must not run on a container's thread: closing a session (a container may
 * write the close frame synchronously and wait for the connection's other I/O, which on Open Liberty needs the very
 * pool whose thread would be waiting) and the probe of a new connection ({@link SessionTransport#probe}).
 *
 * <p>A few daemon threads, shared by every session, that end after a few idle seconds, so an undeployed WAR leaves
 * none behind. A close on an application server can block for seconds (Open Liberty waits up to 5.5 s for a write in
 * flight before it writes the close frame); the other closes wait in the queue meanwhile, they are never dropped.
 */
final class RelayThreads {

    private static final Logger LOG = Logger.getLogger(RelayThreads.class.getName());
    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final ScheduledThreadPoolExecutor EXECUTOR = executor();

    private RelayThreads() {
    }

    private static ScheduledThreadPoolExecutor executor() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(
                Math.max(2, Runtime.getRuntime().availableProcessors()), runnable -> {
                    Thread thread = new Thread(runnable, "relay-session-" + COUNT.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        executor.setKeepAliveTime(5, TimeUnit.SECONDS);
        executor.allowCoreThreadTimeOut(true);
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    /** Runs {@code task} on a relay thread soon; on the calling thread if none can take it. */
    static void run(Runnable task) {
        try {
            EXECUTOR.execute(guarded(task));
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /** Runs {@code task} on a relay thread after {@code delayMillis}; never, if none can take it. */
    static void later(Runnable task, long delayMillis) {
        try {
            EXECUTOR.schedule(guarded(task), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.log(Level.FINE, "A delayed session task was refused: {0}", e.toString());
        }
    }

    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "A session task failed", e);
            }
        };
    }
}
