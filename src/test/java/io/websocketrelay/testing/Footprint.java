package io.websocketrelay.testing;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Measures what a test JVM holds and burns: heap used after collections, and CPU time over a window. The relay runs
 * in the same JVM as the test, so these numbers are the relay's plus the test's own (kept small and constant).
 */
public final class Footprint {

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private Footprint() {
    }

    /**
     * @return the heap in use after collecting: the least of several {@code System.gc()} rounds, since one round
     *         may leave garbage that another thread made meanwhile
     */
    public static long settledHeapBytes() {
        long least = Long.MAX_VALUE;
        for (int round = 0; round < 4; round++) {
            System.gc();
            least = Math.min(least, MEMORY.getHeapMemoryUsage().getUsed());
        }
        return least;
    }

    /** @return the CPU time used so far by the whole process, in nanoseconds, or -1 if the JVM cannot tell */
    public static long processCpuNanos() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return -1;
    }

    /** @return the CPU time of every live Java thread, summed, in nanoseconds */
    public static long threadsCpuNanos() {
        long sum = 0;
        for (long id : THREADS.getAllThreadIds()) {
            long cpu = THREADS.getThreadCpuTime(id);
            if (cpu > 0) {
                sum += cpu;
            }
        }
        return sum;
    }

    /**
     * Waits until {@code condition} holds, polling every few milliseconds, for at most {@code timeout}.
     *
     * @return whether it held in time
     */
    public static boolean await(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Object lock = new Object();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            synchronized (lock) {
                try {
                    lock.wait(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return condition.getAsBoolean();
                }
            }
        }
        return true;
    }

    /** @return {@code bytes} in MB with one decimal */
    public static String mb(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1048576.0);
    }
}
