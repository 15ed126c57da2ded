/**
 * The relay: pairing clients that share an id and relaying their messages, in the original's wire protocol.
 *
 * <p>{@link io.websocketrelay.endpoint.RelayEndpoint} and {@link io.websocketrelay.endpoint.SessionTransport} are the
 * only classes that know {@code jakarta.websocket}; {@link io.websocketrelay.core.Pairings},
 * {@link io.websocketrelay.core.Peer} and {@link io.websocketrelay.core.Link} see a connection as a
 * {@link io.websocketrelay.core.Transport} and are unit-tested with fakes. A {@code Transport} is also the seam for
 * a peer that lives on another node.
 *
 * <p>Out of scope here: rooms of more than two, several nodes acting as one, and the limits that guard the door
 * (origin, tokens, connection counts).
 */
package io.websocketrelay.core;
