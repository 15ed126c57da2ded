/**
 * The launcher's I/O engine between Grizzly and Tyrus: {@link io.websocketrelay.launcher.io.HandshakeGate} admits
 * upgrades, {@link io.websocketrelay.launcher.io.TyrusBridge} hands them to Tyrus's engine and then feeds each upgraded
 * connection's bytes straight from Grizzly's transport to Tyrus, after {@code FrameGuard} has checked the frame
 * headers and unmasked the payloads; {@code ConnectionWriter} gathers each connection's frames per read and relabels
 * a text message's binary frame ({@code RelabellingTransport}); {@code HttpPages} serves the page, health and
 * metrics.
 *
 * <p>May import: Grizzly, Tyrus, {@code io.websocketrelay.endpoint} (to offer its transports), {@code .core},
 * {@code .admission}, {@code .config}, {@code .monitor}. Not packaged in the WAR.
 */
package io.websocketrelay.launcher.io;
