/**
 * Several relay nodes as one, on Redis: the {@link io.websocketrelay.cluster.Cluster} node (heartbeat, liveness of
 * the other nodes, its inbox stream), matching across nodes ({@code ClusterMatchmaker}) and the proxies that stand
 * for another node's clients. Idle, and Lettuce never loaded, when no Redis is set.
 *
 * <p>May import: {@code io.websocketrelay.core}, {@code io.websocketrelay.config}, Lettuce, CDI, the JDK. Never
 * {@code jakarta.websocket}, Tyrus or Grizzly: the other nodes' clients are {@link io.websocketrelay.core.Peer}s over a
 * transport of this package.
 */
package io.websocketrelay.cluster;
