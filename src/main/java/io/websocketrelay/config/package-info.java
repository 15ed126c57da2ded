/**
 * The relay's settings: each one a documented key read from an environment variable or a system property.
 *
 * <p>The same keys serve the standalone launcher (where command-line options override them) and the WAR on an
 * application server. Out of scope: options that only the launcher has (address, port, TLS); they live in
 * {@code io.websocketrelay.launcher}.
 */
package io.websocketrelay.config;
