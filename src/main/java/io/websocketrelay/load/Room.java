package io.websocketrelay.load;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * R rooms of M members ({@code /room/<id>}); the first K members of each room send, each at a fixed rate, or with
 * {@code --rate 0} as fast as its window lets it: at most W of its messages not yet received by every other member.
 * Every member waits until it sees its room complete before anything is sent, then checks every message it receives
 * ({@link RoomCheck}); each payload carries its send time, so every delivery gives a send-to-receipt latency.
 * Reports deliveries (one per receiver) and messages sent per second, and the latency percentiles.
 */
final class Room extends Scenario {

    private final Latencies latencies = new Latencies();
    private final LongAdder deliveries = new LongAdder();
    private final LongAdder sentMeasured = new LongAdder();
    private final int members;
    private volatile boolean stopping;
    private volatile boolean closing;

    Room(LoadOptions options) {
        super(options);
        this.members = options.members();
    }

    /** One member: its connection, its view of the room, its check of what it receives and, if it sends, its sender. */
    private final class Member {
        final int room;
        final int index;
        final Member[] group;
        final Conn conn = new Conn(errors);
        final RoomView view = new RoomView(members - 1);
        final RoomCheck check;
        final Sender sender;

        Member(int room, int index, Member[] group) {
            this.room = room;
            this.index = index;
            this.group = group;
            this.check = new RoomCheck(room, index, members, options.senders(), errors);
            this.sender = index < options.senders() ? new Sender(this) : null;
            conn.control(this::control).sink(Conn.Sink.stamps(options.size(), true, this::take));
        }

        private void control(String text) {
            switch (view.accept(text)) {
                case INVALID -> errors.unexpected.increment();
                case CLOSED -> {
                    if (!closing) {
                        errors.peerGone.increment();
                    }
                }
                default -> {
                }
            }
            if (view.complete()) {
                conn.connected.complete(null);
            }
        }

        private void take(Payload.Stamp stamp) {
            long now = System.nanoTime();
            int from = check.accept(stamp);
            if (from < 0) {
                return;
            }
            group[from].sender.received(stamp.seq());
            if (measuring) {
                deliveries.increment();
                latencies.record((now - stamp.sentAt()) / 1000);
            }
        }

        /** @return whether every message the room's other senders sent has arrived here */
        boolean drained() {
            return check.missing(sent(group)) == 0;
        }
    }

    /** The sending side of a member: paced at the rate, or held to its window of unreceived messages. */
    private final class Sender implements Runnable {
        final Member member;
        final int tag;
        final int window = options.window();
        /** Rate 0: permits for messages not yet received by every other member. */
        final Semaphore permits = new Semaphore(window);
        /** Rate 0: how many members have yet to receive message {@code seq}, at {@code seq % window}. */
        final AtomicIntegerArray pending = new AtomicIntegerArray(window);
        volatile long sent;
        /** Where in the period this sender starts, so that the senders do not all send at once. */
        long phase;

        Sender(Member member) {
            this.member = member;
            this.tag = RoomCheck.tag(member.room, member.index, members);
        }

        /** One other member received message {@code seq}; the last one frees its place in the window. */
        void received(long seq) {
            if (options.rate() == 0 && pending.decrementAndGet((int) (seq % window)) == 0) {
                permits.release();
            }
        }

        @Override
        public void run() {
            try {
                if (options.rate() > 0) {
                    paced();
                } else {
                    windowed();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void windowed() throws InterruptedException {
            long seq = 0;
            while (!stopping) {
                if (permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    pending.set((int) (seq % window), members - 1);
                    send(seq++);
                }
            }
        }

        private void paced() {
            double period = 1e9 / options.rate();
            long start = System.nanoTime() + phase;
            long seq = 0;
            while (!stopping) {
                long wait = start + (long) (seq * period) - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(100)));
                } else {
                    send(seq++);
                }
            }
        }

        private void send(long seq) {
            long now = System.nanoTime();
            member.conn.send(options.binary() ? Payload.timedBinary(seq, tag, now, options.size())
                    : Payload.timedText(seq, tag, now, options.size()));
            sent = seq + 1;
            if (measuring) {
                sentMeasured.increment();
            }
        }
    }

    /** @return how many messages each sender of the group has sent, by its number */
    private long[] sent(Member[] group) {
        long[] sent = new long[options.senders()];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = group[i].sender.sent;
        }
        return sent;
    }

    @Override
    Report run() throws IOException, InterruptedException {
        List<Member> all = new ArrayList<>();
        Member[][] groups = new Member[options.rooms()][members];
        for (int r = 0; r < groups.length; r++) {
            for (int i = 0; i < members; i++) {
                groups[r][i] = new Member(r, i, groups[r]);
                all.add(groups[r][i]);
            }
        }
        List<Thread> threads = new ArrayList<>();
        try {
            join(groups, all);
            List<Sender> senders = all.stream().filter(m -> m.sender != null).map(m -> m.sender).toList();
            for (int i = 0; i < senders.size(); i++) {
                Sender sender = senders.get(i);
                sender.phase = options.rate() > 0 ? (long) (1e9 / options.rate() * i / senders.size()) : 0;
                Thread thread = new Thread(sender, "room-" + sender.member.room + "-" + sender.member.index);
                thread.setDaemon(true);
                thread.start();
                threads.add(thread);
            }
            Window window = measure();
            double seconds = window.seconds();
            Report report = report(headline());
            window.cpu().addTo(report);
            stopping = true;
            for (Thread thread : threads) {
                thread.join(options.timeoutMillis());
            }
            long drainStart = System.nanoTime();
            until(() -> all.stream().allMatch(Member::drained), options.timeoutMillis());
            double drain = (System.nanoTime() - drainStart) / 1e9;
            long messagesTotal = 0;
            long deliveriesTotal = 0;
            for (Member member : all) {
                if (member.sender != null) {
                    messagesTotal += member.sender.sent;
                }
                for (int i = 0; i < options.senders(); i++) {
                    deliveriesTotal += member.check.received(i);
                }
                errors.lost.add(member.check.missing(sent(member.group)));
                if (member.conn.closed.isDone()) {
                    errors.io.increment(); // the relay closed it during the run
                }
            }
            report.put("rooms", options.rooms()).put("members", members).put("senders", options.senders())
                    .put("rate", options.rate());
            if (options.rate() == 0) {
                report.put("window", options.window());
            }
            report.put("fanout", members - 1).put("messages_sent", sentMeasured.sum())
                    .put("deliveries", deliveries.sum()).put("msgs_sent_per_s", sentMeasured.sum() / seconds)
                    .put("deliveries_per_s", deliveries.sum() / seconds);
            latencies.addTo(report.figures(), "lat");
            report.put("drain_s", drain).put("messages_total", messagesTotal).put("deliveries_total", deliveriesTotal);
            addRss(report, "server_rss_bytes");
            errors.addTo(report.figures());
            return report;
        } finally {
            stopping = true;
            closing = true;
            all.forEach(m -> m.conn.close());
            until(() -> all.stream().allMatch(m -> m.conn.closed.isDone()), options.timeoutMillis());
        }
    }

    private String headline() {
        return "room " + options.rooms() + " rooms x " + members + " members, " + options.senders() + " sending each "
                + (options.rate() > 0 ? "at " + options.rate() + " msg/s" : "in a window of " + options.window()) + ", "
                + options.messageKind();
    }

    /** Opens every member, a room at a time on up to 16 threads, and waits until each sees its room complete. */
    private void join(Member[][] groups, List<Member> all) throws IOException, InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(groups.length, 16));
        try {
            List<Future<?>> opened = new ArrayList<>();
            for (Member[] group : groups) {
                opened.add(pool.submit(() -> {
                    for (Member member : group) {
                        clients.openRoom(member.conn, roomId(member.room));
                    }
                    return null;
                }));
            }
            for (Future<?> f : opened) {
                get(f, "room connection");
            }
        } finally {
            pool.shutdownNow();
        }
        boolean settled = until(() -> all.stream().allMatch(m -> m.conn.connected.isDone())
                || all.stream().anyMatch(m -> m.conn.closed.isDone()), options.timeoutMillis());
        for (Member member : all) {
            if (member.conn.closed.isDone()) {
                throw new IOException("member " + member.index + " of room " + roomId(member.room)
                        + " was closed while the rooms filled: " + member.conn.closeReason());
            }
        }
        if (!settled) {
            long complete = all.stream().filter(m -> m.conn.connected.isDone()).count();
            throw new IOException("only " + complete + " of " + all.size() + " members saw their room complete within "
                    + options.timeout() + " s");
        }
    }

    private String roomId(int room) {
        return options.idPrefix() + "-rm-" + room;
    }
}
