/**
 * The standalone relay: {@code java -jar websocket-relay-standalone.jar} runs the same endpoints and beans as the
 * WAR, on Tyrus over a Grizzly {@code HttpServer}, with Weld SE for CDI. Here: the command line
 * ({@link io.websocketrelay.launcher.Options}, {@link io.websocketrelay.launcher.Launcher}), TLS, logging, and the
 * wiring ({@link io.websocketrelay.launcher.RelayServer#start}, the one place where the server is put together;
 * {@code main} and the tests both use it).
 *
 * <p>May import anything of the relay and the libraries it runs on; the I/O engine lives in
 * {@code io.websocketrelay.launcher.io}. None of these classes is packaged in the WAR.
 */
package io.websocketrelay.launcher;
