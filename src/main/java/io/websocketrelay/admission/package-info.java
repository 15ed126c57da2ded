/**
 * Who may connect and with what: the upgrade's path, origin, access token and per-address limits
 * ({@link io.websocketrelay.admission.Admission}), the id rules, and a connection's message rate. Decided before or
 * at the upgrade, so a refusal is an HTTP status (or a close code) and nothing reaches the domain.
 *
 * <p>May import: {@code io.websocketrelay.config}, {@code io.websocketrelay.core.Protocol} for close codes, the JDK.
 * Protocol-neutral: the launcher asks it from a Grizzly filter, the WAR from a servlet filter.
 */
package io.websocketrelay.admission;
