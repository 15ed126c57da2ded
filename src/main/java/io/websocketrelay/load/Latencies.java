package io.websocketrelay.load;

import java.util.Arrays;
import java.util.Map;

/**
 * Latency samples in microseconds, kept exactly (up to a bound) so that percentiles are exact: a run of the tool
 * records at most a few million. Thread-safe.
 */
final class Latencies {

    /** Samples beyond this many are counted in the maximum only. */
    static final int MAX_SAMPLES = 8_000_000;

    private long[] samples = new long[1024];
    private int count;
    private long max;

    /** Records one latency in microseconds. */
    synchronized void record(long micros) {
        max = Math.max(max, micros);
        if (count == MAX_SAMPLES) {
            return;
        }
        if (count == samples.length) {
            samples = Arrays.copyOf(samples, Math.min(MAX_SAMPLES, count * 2));
        }
        samples[count++] = micros;
    }

    /** @return how many samples were kept */
    synchronized int count() {
        return count;
    }

    /**
     * @param percent 0 to 100
     * @return the nearest-rank percentile, or 0 without samples
     */
    synchronized long percentile(double percent) {
        if (count == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(samples, count);
        Arrays.sort(sorted);
        return sorted[rank(percent, count)];
    }

    /** @return the largest sample */
    synchronized long max() {
        return max;
    }

    /** @return the index of the nearest-rank percentile among {@code n} sorted values */
    static int rank(double percent, int n) {
        int rank = (int) Math.ceil(percent / 100.0 * n);
        return Math.min(n - 1, Math.max(0, rank - 1));
    }

    /** Adds p50, p90, p99 and max as {@code PREFIX_p50_us} and so on. */
    synchronized void addTo(Map<String, Object> figures, String prefix) {
        long[] sorted = Arrays.copyOf(samples, count);
        Arrays.sort(sorted);
        for (int p : new int[] {50, 90, 99}) {
            figures.put(prefix + "_p" + p + "_us", count == 0 ? 0 : sorted[rank(p, count)]);
        }
        figures.put(prefix + "_max_us", max);
    }
}
