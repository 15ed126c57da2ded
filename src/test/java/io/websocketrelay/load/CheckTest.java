package io.websocketrelay.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The order check, the error counters and the latency percentiles. */
class CheckTest {

    @Test
    void sequenceVerdicts() {
        SequenceCheck check = new SequenceCheck(0);
        assertEquals(SequenceCheck.Verdict.IN_ORDER, check.accept(0));
        assertEquals(SequenceCheck.Verdict.IN_ORDER, check.accept(1));
        assertEquals(SequenceCheck.Verdict.DUPLICATED, check.accept(1));
        assertEquals(SequenceCheck.Verdict.GAP, check.accept(5));
        assertEquals(6, check.next());
        assertEquals(SequenceCheck.Verdict.DUPLICATED, check.accept(3));
        assertEquals(SequenceCheck.Verdict.IN_ORDER, check.accept(6));
    }

    @Test
    void errorsClassifyEachMessage() {
        Errors errors = new Errors();
        SequenceCheck order = new SequenceCheck(0);
        errors.check(new Payload.Stamp(0, 4), 4, order);
        errors.check(new Payload.Stamp(0, 4), 4, order);
        errors.check(new Payload.Stamp(3, 4), 4, order);
        errors.check(new Payload.Stamp(4, 5), 4, order);
        errors.check(null, 4, order);
        assertEquals(1, errors.duplicated.sum());
        assertEquals(1, errors.outOfOrder.sum());
        assertEquals(1, errors.misrouted.sum());
        assertEquals(1, errors.corrupt.sum());
        assertEquals(4, errors.total());
        Map<String, Object> figures = new LinkedHashMap<>();
        errors.addTo(figures);
        assertEquals(false, figures.get("ok"));
        assertEquals(1L, figures.get("err_misrouted"));
    }

    @Test
    void noErrorsIsOk() {
        Map<String, Object> figures = new LinkedHashMap<>();
        new Errors().addTo(figures);
        assertEquals(true, figures.get("ok"));
    }

    @Test
    void nearestRankPercentiles() {
        Latencies latencies = new Latencies();
        for (int i = 100; i >= 1; i--) {
            latencies.record(i);
        }
        assertEquals(50, latencies.percentile(50));
        assertEquals(90, latencies.percentile(90));
        assertEquals(99, latencies.percentile(99));
        assertEquals(100, latencies.percentile(100));
        assertEquals(1, latencies.percentile(0));
        assertEquals(100, latencies.max());
        Map<String, Object> figures = new LinkedHashMap<>();
        latencies.addTo(figures, "lat");
        assertEquals(Map.of("lat_p50_us", 50L, "lat_p90_us", 90L, "lat_p99_us", 99L, "lat_max_us", 100L), figures);
    }

    @Test
    void emptyLatenciesAreZero() {
        Latencies latencies = new Latencies();
        assertEquals(0, latencies.percentile(99));
        assertEquals(0, latencies.count());
    }

    @Test
    void rankStaysInRange() {
        assertEquals(0, Latencies.rank(50, 1));
        assertEquals(0, Latencies.rank(0, 10));
        assertEquals(9, Latencies.rank(100, 10));
        assertEquals(989, Latencies.rank(99, 1000));
    }
}
