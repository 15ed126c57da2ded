package io.websocketrelay.core;

/**
 * What a {@link Peer} is joined to: the {@link Link} of a pair, or a room. A message is queued on a receiver only
 * while the receiver is still on the route the sender saw, so nothing sent along a route reaches a client that has
 * moved to another one.
 */
public interface Route {
}
