/**
 * JSON text written by hand: {@link io.websocketrelay.json.Json} quotes strings for the launcher's JSON log lines
 * and the load tool's report.
 *
 * <p>A package of its own because its users must not depend on each other: the launcher and the load tool are
 * separate programs in the standalone jar, and neither is in the WAR. It depends on nothing but {@code java.base};
 * the launcher does not bundle JSON-P, and the WAR carries no library of its own, so the relay cannot count on one
 * in both forms. Out of scope: parsing, and any value other than a string.
 */
package io.websocketrelay.json;
