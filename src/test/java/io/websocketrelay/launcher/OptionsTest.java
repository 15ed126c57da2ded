package io.websocketrelay.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.websocketrelay.config.RelaySettings;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The launcher's command line and environment, parsed without starting anything. */
class OptionsTest {

    private static final UnaryOperator<String> NO_ENV = name -> null;

    private static Options.Command command(UnaryOperator<String> env, String... args) throws StartupException {
        return Options.parse(args, env);
    }

    private static Options run(String... args) throws StartupException {
        return run(NO_ENV, args);
    }

    private static Options run(UnaryOperator<String> env, String... args) throws StartupException {
        Options.Command command = command(env, args);
        assertEquals(Options.Action.RUN, command.action());
        assertNotNull(command.options());
        return command.options();
    }

    private static UnaryOperator<String> env(Map<String, String> variables) {
        return variables::get;
    }

    /** Asserts that parsing fails as a usage error whose message contains every one of {@code mentions}. */
    private static StartupException usageError(UnaryOperator<String> env, String[] args, String... mentions) {
        StartupException e = assertThrows(StartupException.class, () -> Options.parse(args, env),
                () -> "expected a usage error for " + String.join(" ", args));
        assertEquals(StartupException.USAGE, e.exitCode(), e.getMessage());
        assertEquals(2, e.exitCode());
        assertNotNull(e.getMessage());
        assertFalse(e.getMessage().contains("\n"), () -> "one line: " + e.getMessage());
        for (String mention : mentions) {
            assertTrue(e.getMessage().contains(mention), () -> "'" + e.getMessage() + "' should mention " + mention);
        }
        return e;
    }

    private static StartupException usageError(String[] args, String... mentions) {
        return usageError(NO_ENV, args, mentions);
    }

    private static String[] args(String... args) {
        return args;
    }

    @Test
    void defaults() throws StartupException {
        Options options = run();
        assertEquals("0.0.0.0", options.host());
        assertEquals(8080, options.port());
        assertEquals("", options.scope());
        assertNull(options.tls());
        assertEquals(RelaySettings.defaults(), options.settings());
        assertEquals("ws://0.0.0.0:8080/<id>", options.url(options.port()));
    }

    @Test
    void shortOptions() throws StartupException {
        Options options = run("-i", "127.0.0.1", "-p", "9000", "-s", "relay");
        assertEquals("127.0.0.1", options.host());
        assertEquals(9000, options.port());
        assertEquals("relay", options.scope());
    }

    @Test
    void longOptions() throws StartupException {
        Options options = run("--ip", "::1", "--port", "0", "--scope", "a/b");
        assertEquals("::1", options.host());
        assertEquals(0, options.port());
        assertEquals("a/b", options.scope());
    }

    @Test
    void longOptionsWithEquals() throws StartupException {
        Options options = run("--ip=10.0.0.1", "--port=1234", "--scope=/x/", "--max-message-bytes=1000",
                "--send-buffer-bytes=4096");
        assertEquals("10.0.0.1", options.host());
        assertEquals(1234, options.port());
        assertEquals("x", options.scope(), "slashes at either end are dropped");
        assertEquals(1000, options.settings().maxMessageBytes());
        assertEquals(4096, options.settings().sendBufferBytes());
    }

    @Test
    void bracketedIpv6AndLocalhost() throws StartupException {
        assertEquals("::1", run("-i", "[::1]").host());
        assertEquals("localhost", run("-i", "localhost").host());
        assertEquals("0:0:0:0:0:0:0:1", run("--ip=0:0:0:0:0:0:0:1").host());
    }

    @Test
    void environmentVariables() throws StartupException {
        Options options = run(env(Map.of("RELAY_IP", "127.0.0.2", "RELAY_PORT", "7000", "RELAY_SCOPE", "pre",
                "RELAY_MAX_MESSAGE_BYTES", "2048")));
        assertEquals("127.0.0.2", options.host());
        assertEquals(7000, options.port());
        assertEquals("pre", options.scope());
        assertEquals(2048, options.settings().maxMessageBytes());
        assertEquals("ws://127.0.0.2:7000/pre/<id>", options.url(options.port()));
    }

    @Test
    void commandLineBeatsEnvironment() throws StartupException {
        UnaryOperator<String> env = env(Map.of("RELAY_IP", "127.0.0.2", "RELAY_PORT", "7000", "RELAY_SCOPE", "pre",
                "RELAY_MAX_MESSAGE_BYTES", "2048"));
        Options options = run(env, "-i", "127.0.0.3", "--port=7001", "-s", "cli", "--max-message-bytes", "4096");
        assertEquals("127.0.0.3", options.host());
        assertEquals(7001, options.port());
        assertEquals("cli", options.scope());
        assertEquals(4096, options.settings().maxMessageBytes());
    }

    @Test
    void blankEnvironmentVariableMeansDefault() throws StartupException {
        Options options = run(env(Map.of("RELAY_PORT", "  ", "RELAY_IP", "")));
        assertEquals(8080, options.port());
        assertEquals("0.0.0.0", options.host());
    }

    @Test
    void sslWithCertificateAndKey() throws StartupException {
        Options options = run("-p", "8443", "ssl", "cert.pem", "key.pem");
        Tls.Files tls = options.tls();
        assertNotNull(tls);
        assertEquals(Path.of("cert.pem"), tls.certificate());
        assertEquals(Path.of("key.pem"), tls.key());
        assertArrayEquals(new char[0], tls.password());
        assertFalse(tls.isPkcs12());
        assertEquals("wss://0.0.0.0:8443/<id>", options.url(8443));
    }

    @Test
    void sslWithPkcs12File() throws StartupException {
        Options options = run(env(Map.of("RELAY_TLS_PASSWORD", "secret")), "ssl", "relay.p12");
        Tls.Files tls = options.tls();
        assertNotNull(tls);
        assertEquals(Path.of("relay.p12"), tls.certificate());
        assertNull(tls.key());
        assertArrayEquals("secret".toCharArray(), tls.password());
        assertTrue(tls.isPkcs12());
    }

    @Test
    void sslFromEnvironment() throws StartupException {
        Options options = run(env(Map.of("RELAY_TLS_CERT", "c.pem", "RELAY_TLS_KEY", "k.pem")));
        assertNotNull(options.tls());
        assertEquals(Path.of("c.pem"), options.tls().certificate());
        assertEquals(Path.of("k.pem"), options.tls().key());
    }

    @Test
    void optionsMayFollowTheSslCommand() throws StartupException {
        Options options = run("ssl", "cert.pem", "key.pem", "-p", "9443");
        assertEquals(9443, options.port());
        assertNotNull(options.tls());
    }

    @Test
    void help() throws StartupException {
        for (String flag : new String[] {"-h", "--help"}) {
            Options.Command command = command(NO_ENV, "-p", "1", flag);
            assertEquals(Options.Action.HELP, command.action(), flag);
            assertNull(command.options());
        }
        assertTrue(Options.help().startsWith("Usage: websocket-relay"));
        for (String documented : new String[] {"--ip", "--port", "--scope", "--max-message-bytes", "RELAY_IP",
                "RELAY_PORT", "RELAY_SCOPE", "RELAY_MAX_MESSAGE_BYTES", "ssl"}) {
            assertTrue(Options.help().contains(documented), documented);
        }
    }

    @Test
    void helpWinsOverLaterMistakes() throws StartupException {
        assertEquals(Options.Action.HELP, command(NO_ENV, "--help", "--no-such-option").action());
    }

    @Test
    void version() throws StartupException {
        for (String flag : new String[] {"-V", "--version"}) {
            Options.Command command = command(NO_ENV, flag);
            assertEquals(Options.Action.VERSION, command.action(), flag);
            assertNull(command.options());
        }
    }

    @Test
    void unknownOption() {
        usageError(args("--bogus"), "unknown option", "--bogus");
        usageError(args("-x"), "unknown option", "-x");
        usageError(args("--bogus=1"), "unknown option", "--bogus=1");
    }

    @Test
    void missingValue() {
        for (String option : new String[] {"-i", "--ip", "-p", "--port", "-s", "--scope", "--max-message-bytes"}) {
            usageError(args(option), option, "needs a value");
        }
    }

    @Test
    void badPort() {
        usageError(args("-p", "70000"), "70000", "not a port");
        usageError(args("--port=abc"), "abc", "not a port");
        usageError(args("-p", "-1"), "-1", "not a port");
        usageError(env(Map.of("RELAY_PORT", "65536")), args(), "65536", "not a port");
    }

    @Test
    void badAddress() {
        usageError(args("-i", "999.1.1.1"), "999.1.1.1", "not an IPv4 address");
        usageError(args("-i", "example.com"), "example.com", "not an IP address");
        usageError(args("--ip=1.2.3"), "1.2.3", "not an IP address");
        usageError(env(Map.of("RELAY_IP", "relay.example.org")), args(), "relay.example.org");
    }

    @Test
    void badScope() {
        usageError(args("-s", "a b"), "a b", "path prefix");
        usageError(args("--scope=x?y"), "x?y", "path prefix");
    }

    @Test
    void unknownCommand() {
        usageError(args("serve"), "unknown command", "serve");
        usageError(args("-p", "1", "tls", "a", "b"), "unknown command", "tls");
    }

    @Test
    void sslWithWrongArgumentCount() {
        usageError(args("ssl"), "'ssl' takes");
        usageError(args("ssl", "a.pem", "b.pem", "c.pem"), "'ssl' takes");
    }

    @Test
    void keyWithoutCertificate() {
        usageError(env(Map.of("RELAY_TLS_KEY", "k.pem")), args(), "RELAY_TLS_KEY", "RELAY_TLS_CERT");
    }

    @Test
    void badMaxMessage() {
        usageError(args("--max-message-bytes", "abc"), "RELAY_MAX_MESSAGE_BYTES", "abc");
        usageError(args("--max-message-bytes=0"), "RELAY_MAX_MESSAGE_BYTES", "at least 1");
        usageError(env(Map.of("RELAY_MAX_MESSAGE_BYTES", "-5")), args(), "RELAY_MAX_MESSAGE_BYTES");
        usageError(args("--max-message-bytes", "2000000"), "RELAY_SEND_BUFFER_BYTES", "RELAY_MAX_MESSAGE_BYTES");
        usageError(args("--send-buffer-bytes", "lots"), "RELAY_SEND_BUFFER_BYTES", "lots");
    }

    @Test
    void ioSettings() throws StartupException {
        Options defaults = run();
        assertTrue(defaults.io().sameThread());
        assertEquals(0, defaults.io().selectors());
        Options options = run("--io-strategy", "worker", "--selector-threads=3");
        assertFalse(options.io().sameThread());
        assertEquals(3, options.io().selectors());
        Options fromEnvironment = run(env(Map.of("RELAY_IO_STRATEGY", "worker", "RELAY_SELECTOR_THREADS", "2")));
        assertFalse(fromEnvironment.io().sameThread());
        assertEquals(2, fromEnvironment.io().selectors());
        Options commandLineWins = run(env(Map.of("RELAY_IO_STRATEGY", "worker", "RELAY_SELECTOR_THREADS", "2")),
                "--io-strategy", "same", "--selector-threads", "1");
        assertTrue(commandLineWins.io().sameThread());
        assertEquals(1, commandLineWins.io().selectors());
        assertEquals(4, run("--selector-threads", "4").withPort(1).io().selectors(), "withPort keeps the tuning");
    }

    @Test
    void badIoSettings() {
        usageError(args("--io-strategy", "pool"), "RELAY_IO_STRATEGY", "pool");
        usageError(args("--selector-threads", "-1"), "RELAY_SELECTOR_THREADS", "at least 0");
        usageError(env(Map.of("RELAY_SELECTOR_THREADS", "many")), args(), "RELAY_SELECTOR_THREADS", "many");
        usageError(args("--io-strategy"), "--io-strategy", "needs a value");
    }

    @Test
    void typoGetsSuggestions() {
        usageError(args("--max-mesage-bytes", "10"), "unknown option", "--max-mesage-bytes", "did you mean",
                "--max-message-bytes");
        usageError(args("--io-stratgy=same"), "unknown option", "did you mean --io-strategy?");
        usageError(args("-p", "1", "--toke", "x"), "unknown option", "--token");
    }

    @Test
    void lastValueWins() throws StartupException {
        assertEquals(2, run("-p", "1", "--port", "2").port());
    }

    @Test
    void helpAndVersionAfterSsl() throws StartupException {
        assertEquals(Options.Action.HELP, command(NO_ENV, "ssl", "--help").action());
        assertEquals(Options.Action.VERSION, command(NO_ENV, "ssl", "c.pem", "-V").action());
    }

    @Test
    void argumentFilesAreNotExpanded() throws StartupException {
        assertEquals("@secret", run("--token", "@secret").settings().token());
    }

    @Test
    void unknownOptionAfterSsl() {
        usageError(args("ssl", "a.pem", "b.pem", "--bogus"), "unknown option", "--bogus");
    }

    @Test
    void helpDocumentsTheIoSettings() {
        for (String documented : new String[] {"--io-strategy", "RELAY_IO_STRATEGY", "--selector-threads",
                "RELAY_SELECTOR_THREADS", "--log-format", "RELAY_LOG_FORMAT", "RELAY_TLS_PASSWORD", "--version"}) {
            assertTrue(Options.help().contains(documented), documented);
        }
        assertTrue(Options.help().lines().allMatch(line -> line.length() <= OptionTable.WIDTH),
                "--help fits in 80 columns");
    }

    @Test
    void urlBracketsIpv6() throws StartupException {
        assertEquals("ws://[::1]:8080/<id>", run("-i", "::1").url(8080));
        assertEquals("ws://[::1]:8080/<id>", run("-i", "[::1]").url(8080));
    }

    @Test
    void urlWithScope() throws StartupException {
        Options options = run("-s", "relay");
        assertEquals("ws://0.0.0.0:8080/relay/<id>", options.url(8080));
        assertEquals("/relay", options.contextPath());
        assertEquals("/", run().contextPath());
    }

    @Test
    void urlShowsTheBoundPort() {
        Options options = Options.of("127.0.0.1", 0, RelaySettings.defaults());
        assertEquals("ws://127.0.0.1:54321/<id>", options.url(54321));
        assertEquals(54321, options.withPort(54321).port());
    }

    @Test
    void urlIsWssWithTls() {
        Options options = new Options("::1", 0, "s", new Tls.Files(Path.of("c.pem"), Path.of("k.pem"), new char[0]),
                RelaySettings.defaults());
        assertEquals("wss://[::1]:443/s/<id>", options.url(443));
    }
}
