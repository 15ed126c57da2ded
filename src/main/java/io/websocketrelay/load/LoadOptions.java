package io.websocketrelay.load;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The command line of the load tool: {@code SCENARIO [--option value]...}.
 *
 * @param scenario    pingpong, stream, connect, churn or room
 * @param url         the relay's URL base, {@code ws://127.0.0.1:8080/}
 * @param pairs       pairs (pingpong, stream) or slots (churn)
 * @param size        payload bytes (characters for text)
 * @param binary      binary messages instead of text
 * @param duration    measured seconds
 * @param warmup      unmeasured seconds before
 * @param connections waiting connections (connect)
 * @param concurrency handshakes in flight (connect)
 * @param sources     source addresses to use when one runs out of ports (connect); empty: 127.0.0.x as needed
 * @param perSource   connections per source address
 * @param messages    messages each side sends per session (churn)
 * @param window      messages in flight per pair (stream); room at rate 0: messages of a sender not yet received by
 *                    every other member of its room
 * @param serverPid   the relay's process id, to read its memory and CPU from /proc; 0 for none
 * @param json        print one JSON line instead of the summary
 * @param idPrefix    prefix of every id, so that runs do not meet
 * @param timeout     seconds to wait for any one step
 * @param hold        seconds the waiting connections stay alone before they are paired (connect)
 * @param rooms       rooms (room)
 * @param members     members per room (room)
 * @param senders     members of each room that send (room): the first ones
 * @param rate        messages per second per sender (room); 0: as fast as the window lets them
 */
record LoadOptions(String scenario, String url, int pairs, int size, boolean binary, double duration, double warmup,
        int connections, int concurrency, List<InetAddress> sources, int perSource, int messages, int window,
        long serverPid, boolean json, String idPrefix, double timeout, double hold, int rooms, int members,
        int senders, double rate) {

    static final List<String> SCENARIOS = List.of("pingpong", "stream", "connect", "churn", "room");

    static String usage() {
        return """
                usage: java -cp websocket-relay-standalone.jar io.websocketrelay.load.LoadTool SCENARIO [OPTIONS]
                scenarios: pingpong | stream | connect | churn | room
                  --url URL            relay URL base, loopback only          [ws://127.0.0.1:8080/]
                  --pairs P            pairs (pingpong 50, stream 10), churn slots (20)
                  --size B             payload bytes, 16 (binary) / 32 (text) to 65536         [64]
                                       (room: 24 binary / 48 text at least)
                  --binary             binary messages                                       [text]
                  --duration S         measured seconds                                        [10]
                  --warmup S           unmeasured seconds before                                [2]
                  --connections N      connect: waiting connections, each then paired        [2000]
                  --concurrency C      connect: handshakes in flight                           [64]
                  --src-ips LIST       connect: source addresses a,b or 127.0.0.2-127.0.0.9   [auto]
                  --per-ip N           connections per source address                       [20000]
                  --messages K         churn: messages each side sends per session             [10]
                  --window W           stream: messages in flight per pair                     [64]
                                       room, --rate 0: a sender's messages not yet received by
                                       every other member of its room                         [64]
                  --rooms R            room: rooms                                             [10]
                  --members M          room: members per room                                  [10]
                  --senders K          room: members of each room that send   [M, or 1 at --rate 0]
                  --rate N             room: messages/s per sender, 0 = as fast as --window lets [0]
                  --server-pid PID     read the relay's RSS and CPU from /proc
                  --id-prefix TEXT     prefix of the ids                             [load-<random>]
                  --timeout S          longest wait for one step                               [10]
                  --hold S             connect: seconds the waiting connections stay alone      [0]
                  --json               one JSON line instead of the summary
                """;
    }

    static LoadOptions parse(String... args) {
        if (args.length == 0 || !SCENARIOS.contains(args[0])) {
            throw new IllegalArgumentException("the first argument must be one of " + SCENARIOS);
        }
        String scenario = args[0];
        String url = "ws://127.0.0.1:8080/";
        int pairs = switch (scenario) {
            case "stream" -> 10;
            case "churn" -> 20;
            default -> 50;
        };
        int size = 64;
        boolean binary = false;
        boolean json = false;
        double duration = 10;
        double warmup = 2;
        int connections = 2000;
        int concurrency = 64;
        List<InetAddress> sources = List.of();
        int perSource = 20_000;
        int messages = 10;
        int window = 64;
        long pid = 0;
        String prefix = "load-" + Long.toHexString(System.nanoTime() & 0xffffffL);
        double timeout = 10;
        double hold = 0;
        int rooms = 10;
        int members = 10;
        int senders = 0;
        double rate = 0;
        for (int i = 1; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--binary" -> binary = true;
                case "--json" -> json = true;
                default -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(option + " needs a value");
                    }
                    String value = args[++i];
                    switch (option) {
                        case "--url" -> url = value;
                        case "--pairs" -> pairs = positive(option, value);
                        case "--size" -> size = positive(option, value);
                        case "--duration" -> duration = seconds(option, value);
                        case "--warmup" -> warmup = seconds(option, value);
                        case "--connections" -> connections = positive(option, value);
                        case "--concurrency" -> concurrency = positive(option, value);
                        case "--src-ips" -> sources = addresses(value);
                        case "--per-ip" -> perSource = positive(option, value);
                        case "--messages" -> messages = positive(option, value);
                        case "--window" -> window = positive(option, value);
                        case "--server-pid" -> pid = positive(option, value);
                        case "--id-prefix" -> prefix = value;
                        case "--timeout" -> timeout = seconds(option, value);
                        case "--hold" -> hold = seconds(option, value);
                        case "--rooms" -> rooms = positive(option, value);
                        case "--members" -> members = positive(option, value);
                        case "--senders" -> senders = positive(option, value);
                        case "--rate" -> rate = rate(option, value);
                        default -> throw new IllegalArgumentException("unknown option " + option);
                    }
                }
            }
        }
        boolean room = scenario.equals("room");
        int minimum = Payload.minimum(binary, room);
        if (size < minimum || size > Clients.MAX_MESSAGE) {
            throw new IllegalArgumentException("--size must be from " + minimum + " to " + Clients.MAX_MESSAGE + " for "
                    + (binary ? "binary" : "text") + (room ? " in rooms" : ""));
        }
        if (senders == 0) {
            senders = rate > 0 ? members : 1;
        }
        if (room && (members < 2 || senders > members || (long) rooms * members > Integer.MAX_VALUE)) {
            throw new IllegalArgumentException("room needs --members of at least 2 and --senders of at most --members");
        }
        if (timeout <= 0) {
            throw new IllegalArgumentException("--timeout must be more than 0");
        }
        Clients.requireLoopback(java.net.URI.create(url));
        return new LoadOptions(scenario, url, pairs, size, binary, duration, warmup, connections, concurrency,
                sources, perSource, messages, window, pid, json, prefix, timeout, hold, rooms, members, senders, rate);
    }

    /** @return the source addresses for {@code total} connections: the given ones, or 127.0.0.1, .2, ... as needed */
    List<InetAddress> sourcesFor(int total) {
        if (!sources.isEmpty()) {
            return sources;
        }
        int needed = (total + perSource - 1) / perSource;
        if (needed > 254) {
            throw new IllegalArgumentException(total + " connections need more than 254 source addresses");
        }
        List<InetAddress> auto = new ArrayList<>();
        for (int i = 1; i <= needed; i++) {
            auto.add(loopback(i));
        }
        return auto;
    }

    /** @return timeout in milliseconds */
    long timeoutMillis() {
        return (long) (timeout * 1000);
    }

    /** @return a short description of the message kind: {@code 64 B text} */
    String messageKind() {
        return size + " B " + (binary ? "binary" : "text");
    }

    private static int positive(String option, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " must be a positive whole number, not " + value);
    }

    private static double seconds(String option, String value) {
        try {
            double s = Double.parseDouble(value);
            if (s >= 0 && s <= 3600) {
                return s;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " must be seconds from 0 to 3600, not " + value);
    }

    private static double rate(String option, String value) {
        try {
            double r = Double.parseDouble(value);
            if (r >= 0 && r <= 1_000_000) {
                return r;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " must be messages per second from 0 to 1000000, not " + value);
    }

    /** Parses {@code a,b} or {@code 127.0.0.2-127.0.0.9} (last byte ranges); loopback only. */
    static List<InetAddress> addresses(String value) {
        List<InetAddress> list = new ArrayList<>();
        for (String part : value.split(",")) {
            String[] range = part.trim().split("-");
            if (range.length == 2) {
                InetAddress from = address(range[0]);
                InetAddress to = address(range[1]);
                byte[] a = from.getAddress();
                byte[] b = to.getAddress();
                if (a.length != 4 || b.length != 4 || a[0] != b[0] || a[1] != b[1] || a[2] != b[2]) {
                    throw new IllegalArgumentException("a range may vary only the last byte: " + part);
                }
                for (int last = a[3] & 0xff; last <= (b[3] & 0xff); last++) {
                    list.add(address(String.format(Locale.ROOT, "%d.%d.%d.%d", 127, a[1] & 0xff, a[2] & 0xff, last)));
                }
            } else {
                list.add(address(part.trim()));
            }
        }
        return List.copyOf(list);
    }

    private static InetAddress address(String text) {
        try {
            InetAddress address = InetAddress.getByName(text);
            if (!address.isLoopbackAddress()) {
                throw new IllegalArgumentException("source addresses must be loopback: " + text);
            }
            return address;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + text, e);
        }
    }

    private static InetAddress loopback(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
