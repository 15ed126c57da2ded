/**
 * The standalone relay: {@code java -jar websocket-relay-standalone.jar} runs the same endpoint and pairing bean as
 * the WAR, on Tyrus over a Grizzly {@code HttpServer}, with Weld SE for CDI.
 *
 * <p>{@link io.websocketrelay.launcher.RelayServer#start} is the one place where the server is wired; {@code main}
 * and the tests both use it. None of these classes is packaged in the WAR.
 */
package io.websocketrelay.launcher;
