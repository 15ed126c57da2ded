/**
 * The relay's domain: clients as {@link io.websocketrelay.core.Peer}s, what they send as
 * {@link io.websocketrelay.core.Outbound} messages encoded once, the pair protocol
 * ({@link io.websocketrelay.core.Pairs}), who is matched with whom ({@link io.websocketrelay.core.Matchmaker}, in memory
 * by {@link io.websocketrelay.core.LocalMatchmaker}), and every connection's count, heartbeat and shutdown
 * ({@link io.websocketrelay.core.Registry}).
 *
 * <p>May import: {@code io.websocketrelay.config}, CDI and {@code jakarta.annotation}, the JDK. Never
 * {@code jakarta.websocket}, Tyrus or Grizzly: a connection is a {@link io.websocketrelay.core.Transport}, which the
 * WebSocket boundary implements over a container's session and a cluster would implement over its channel to another
 * node. Unit-tested with fake transports.
 *
 * <p>Out of scope here: reading and checking what a connection sends (the endpoint package), the limits that guard
 * the door (admission), and rendering health and metrics (monitor).
 */
package io.websocketrelay.core;
