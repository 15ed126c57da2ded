/**
 * The WebSocket boundary: the {@code @ServerEndpoint} classes that every container (the launcher's Tyrus and the four
 * application servers) instantiates, the {@link io.websocketrelay.endpoint.SessionTransport} that implements the
 * domain's {@code Transport} over a {@code jakarta.websocket} session, and the configurator that accepts the token
 * subprotocol. An endpoint turns one session's events into calls on the domain: open joins it, each message is
 * assembled and checked ({@code Incoming}) and handed to its {@code Peer}, close and error make it leave.
 *
 * <p>May import: {@code jakarta.websocket}, CDI, {@code io.websocketrelay.core}, {@code .admission} and {@code .config}.
 * Never a container's own classes: a container that sends faster offers a transport through
 * {@link io.websocketrelay.endpoint.Transports} instead.
 */
package io.websocketrelay.endpoint;
