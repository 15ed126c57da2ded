/**
 * Health and metrics of a running relay, as text that any HTTP front end serves: {@code GET /health} (JSON) and
 * {@code GET /metrics} (Prometheus text format 0.0.4). The launcher serves them with Grizzly, the WAR with a servlet.
 */
package io.websocketrelay.monitor;
