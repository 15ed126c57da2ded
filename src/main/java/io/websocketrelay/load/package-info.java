/**
 * The load tool ({@code java -cp websocket-relay-standalone.jar io.websocketrelay.load.LoadTool}): scenarios that
 * drive a relay over loopback with tyrus-client and check every message (sequence, sender, checksum). It speaks the
 * wire protocol through the constants of {@link io.websocketrelay.core.Protocol}.
 *
 * <p>May import: tyrus-client, {@code jakarta.websocket}, {@code io.websocketrelay.core.Protocol}. In the standalone jar
 * only, not in the WAR.
 */
package io.websocketrelay.load;
