/**
 * JSON text written by hand: {@link io.websocketrelay.json.Json} quotes strings for the launcher's JSON log lines
 * and the load tool's report.
 *
 * <p>A package of its own because its users must not depend on each other: the launcher and the load tool are
 * separate programs in the standalone jar (and neither is in the WAR), and {@code monitor} is the text of the
 * relay's own pages, not a home for a helper of the tools around it. It depends on nothing but {@code java.base}:
 * the standalone jar bundles no JSON-P, and the WAR carries no library of its own, so neither form can count on one.
 * It is in the WAR as well, so that code the application servers run may use it too. Out of scope:
 * parsing, and any value other than a string.
 */
package io.websocketrelay.json;
