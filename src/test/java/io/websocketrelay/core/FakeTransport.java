package io.websocketrelay.core;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Transport} for unit tests: records what is sent and closed. Sends complete at once, or, when
 * {@link #stall()} was called, only when the test calls {@link #complete()}.
 */
public final class FakeTransport implements Transport {

    private final List<String> received = new ArrayList<>();
    private SendCallback pending;
    private boolean stalled;
    private int closeCode = -1;
    private int sendsInFlight;
    private int maxSendsInFlight;
    private int pings;
    private final boolean pausable;
    private boolean paused;
    private int pauses;

    public FakeTransport() {
        this(false);
    }

    /** @param pausable whether it says it can pause reading (as the launcher's transport does) */
    public FakeTransport(boolean pausable) {
        this.pausable = pausable;
    }

    @Override
    public boolean canPauseReading() {
        return pausable;
    }

    @Override
    public synchronized void pauseReading(boolean pause) {
        if (pause && !paused) {
            pauses++;
        }
        paused = pause;
    }

    synchronized boolean paused() {
        return paused;
    }

    /** @return how often reading was paused */
    synchronized int pauses() {
        return pauses;
    }

    @Override
    public void send(Outbound message, SendCallback done) {
        record(message.isText() ? message.text() : "binary:" + StandardCharsets.UTF_8.decode(message.bytes()), done);
    }

    private void record(String message, SendCallback done) {
        SendCallback complete;
        synchronized (this) {
            received.add(message);
            sendsInFlight++;
            maxSendsInFlight = Math.max(maxSendsInFlight, sendsInFlight);
            if (stalled) {
                pending = done;
                return;
            }
            sendsInFlight--;
            complete = done;
        }
        complete.sent(null);
    }

    @Override
    public synchronized void ping() {
        pings++;
    }

    synchronized int pings() {
        return pings;
    }

    @Override
    public synchronized void close(int code, String reason) {
        if (closeCode < 0) {
            closeCode = code;
        }
    }

    /** From now on, sends stay in flight until {@link #complete()}. */
    synchronized void stall() {
        stalled = true;
    }

    /** Completes the send in flight, if any, and lets later sends complete at once. */
    void complete() {
        SendCallback done;
        synchronized (this) {
            stalled = false;
            done = pending;
            pending = null;
            if (done != null) {
                sendsInFlight--;
            }
        }
        if (done != null) {
            done.sent(null);
        }
    }

    /** @return the messages sent so far, and forgets them */
    synchronized List<String> take() {
        List<String> copy = List.copyOf(received);
        received.clear();
        return copy;
    }

    synchronized int closeCode() {
        return closeCode;
    }

    synchronized int maxSendsInFlight() {
        return maxSendsInFlight;
    }
}
