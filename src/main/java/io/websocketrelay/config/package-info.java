/**
 * The relay's settings: each one a documented {@link io.websocketrelay.config.Key} read from an environment variable
 * or a system property, gathered in {@link io.websocketrelay.config.RelaySettings}.
 *
 * <p>The same keys serve the standalone launcher (where command-line options override them) and the WAR on an
 * application server ({@link io.websocketrelay.config.SettingsProducer}). May import only the JDK and CDI. Out of
 * scope: options that only the launcher has (address, port, TLS); they live in {@code io.websocketrelay.launcher}.
 */
package io.websocketrelay.config;
