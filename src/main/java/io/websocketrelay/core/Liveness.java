package io.websocketrelay.core;

/**
 * Whether a client is alive and active, as the heartbeat sees it: written by the connection's threads
 * ({@link #heard()}, {@link #received()}), read and reset by the heartbeat thread ({@link #beat}).
 */
final class Liveness {

    /** What one heartbeat tick found. */
    enum Beat { FINE, PING, DEAD, IDLE }

    private volatile boolean heard = true;
    private volatile boolean active = true;
    // the heartbeat thread only
    private boolean pinged;
    private int idleTicks;

    void heard() {
        heard = true;
    }

    void received() {
        heard = true;
        active = true;
    }

    /**
     * One tick: when {@code ping} is set, decides whether the client is dead (nothing heard since the last ping) and
     * otherwise asks for a new ping ({@link Beat#PING}); decides whether it is idle (it sent nothing for
     * {@code idleTicksLimit} ticks).
     */
    Beat beat(boolean ping, int idleTicksLimit) {
        if (ping && pinged && !heard) {
            return Beat.DEAD;
        }
        if (idleTicksLimit > 0) {
            idleTicks = active ? 0 : idleTicks + 1;
            active = false;
            if (idleTicks >= idleTicksLimit) {
                return Beat.IDLE;
            }
        }
        if (ping) {
            heard = false;
            pinged = true;
            return Beat.PING;
        }
        return Beat.FINE;
    }
}
