/**
 * The servlet side of the WAR: health and metrics over plain HTTP. Not used by the standalone launcher, which
 * serves the same text with Grizzly ({@code io.websocketrelay.launcher.io.HttpPages}).
 */
package io.websocketrelay.web;
