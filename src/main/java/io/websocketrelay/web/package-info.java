/**
 * The servlet side of the WAR: health and metrics over plain HTTP, and the filter that asks admission about every
 * upgrade before the container performs it. Not used by the standalone launcher, which does the same with Grizzly
 * ({@code io.websocketrelay.launcher.io}).
 *
 * <p>May import: the Servlet API, CDI, {@code io.websocketrelay.admission}, {@code .config}, {@code .core},
 * {@code .monitor}.
 */
package io.websocketrelay.web;
