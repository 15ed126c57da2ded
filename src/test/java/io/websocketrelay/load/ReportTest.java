package io.websocketrelay.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The report's output, the options and the /proc parsing. */
class ReportTest {

    @Test
    void jsonIsOneLineInOrder() {
        Report report = new Report("pingpong").put("scenario", "ping\"pong").put("rt_per_s", 1234.5678)
                .put("pairs", 50).put("ok", true).put("err_lost", 0L);
        assertEquals("{\"scenario\":\"ping\\\"pong\",\"rt_per_s\":1234.568,\"pairs\":50,\"ok\":true,\"err_lost\":0}",
                report.json());
        assertTrue(report.ok());
        assertEquals(50, report.number("pairs"));
    }

    @Test
    void summaryLeavesOutZeroErrors() {
        Report report = new Report("stream 10 pairs").put("scenario", "stream").put("msgs_per_s", 100.04)
                .put("err_lost", 0L).put("err_corrupt", 2L);
        assertEquals("stream 10 pairs: msgs_per_s=100.0 err_corrupt=2", report.summary());
    }

    @Test
    void optionsHaveDefaultsPerScenario() {
        LoadOptions pingpong = LoadOptions.parse("pingpong");
        assertEquals(50, pingpong.pairs());
        assertEquals(64, pingpong.size());
        assertEquals(10, LoadOptions.parse("stream").pairs());
        assertEquals(20, LoadOptions.parse("churn").pairs());
        LoadOptions custom = LoadOptions.parse("stream", "--binary", "--size", "16", "--pairs", "3", "--json",
                "--url", "ws://127.0.0.2:9000/x/");
        assertTrue(custom.binary() && custom.json());
        assertEquals(3, custom.pairs());
    }

    @Test
    void roomOptions() {
        LoadOptions room = LoadOptions.parse("room");
        assertEquals(10, room.rooms());
        assertEquals(10, room.members());
        assertEquals(1, room.senders(), "one sender when as fast as flow control allows");
        assertEquals(0, room.rate());
        assertEquals(64, room.window());
        assertEquals(10, LoadOptions.parse("room", "--rate", "100").senders(), "every member at a rate");
        assertEquals(3, LoadOptions.parse("room", "--senders", "3", "--rate", "2.5").senders());
        assertEquals(2.5, LoadOptions.parse("room", "--rate", "2.5").rate());
        assertEquals(24, LoadOptions.parse("room", "--binary", "--size", "24").size());
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("room", "--size", "47"));
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("room", "--binary", "--size", "23"));
        assertEquals(32, LoadOptions.parse("stream", "--size", "32").size(), "other scenarios keep their minimum");
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("room", "--members", "1"));
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("room", "--members", "3", "--senders", "4"));
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("room", "--rate", "-1"));
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("room", "--rooms", "0"));
    }

    @Test
    void badOptionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("dance"));
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("pingpong", "--size", "31"));
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("pingpong", "--size", "65537"));
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("pingpong", "--pairs", "0"));
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("pingpong", "--pairs"));
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("pingpong", "--url", "ws://10.1.2.3/"));
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("connect", "--src-ips", "10.0.0.1"));
    }

    @Test
    void sourceAddresses() throws Exception {
        List<InetAddress> range = LoadOptions.addresses("127.0.0.2-127.0.0.4,127.0.0.9");
        assertEquals(4, range.size());
        assertEquals(InetAddress.getByName("127.0.0.4"), range.get(2));
        LoadOptions options = LoadOptions.parse("connect", "--per-ip", "1000");
        List<InetAddress> auto = options.sourcesFor(2500);
        assertEquals(List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2"),
                InetAddress.getByName("127.0.0.3")), auto);
        assertEquals(null, Clients.source(options.sourcesFor(900), 1000, 899, 900));
        assertEquals(auto.get(0), Clients.source(auto, 1000, 999, 2500));
        assertEquals(auto.get(2), Clients.source(auto, 1000, 2499, 2500));
        assertThrows(IllegalArgumentException.class, () -> Clients.source(auto, 1000, 3000, 3001));
    }

    @Test
    void procParsing() {
        assertEquals(123456, ProcStats.parseRssKb("Name:\tjava\nVmPeak:\t 1 kB\nVmRSS:\t  123456 kB\nThreads: 3\n"));
        assertEquals(-1, ProcStats.parseRssKb("Name:\tjava\n"));
        String stat = "4242 (java (x) y) S 1 2 3 4 5 6 7 8 9 10 250 70 0 0 20 0 30 0";
        assertEquals(320, ProcStats.parseCpuTicks(stat));
    }
}
