package io.websocketrelay.launcher;

import io.websocketrelay.config.Key;
import io.websocketrelay.config.RelaySettings;
import io.websocketrelay.launcher.io.IoTuning;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine;

/**
 * The launcher's command line, compatible with the original's: {@code -i/--ip}, {@code -p/--port},
 * {@code -s/--scope} and the command {@code ssl CERTIFICATE_PATH PRIVKEY_PATH}, plus the relay's limits and the I/O
 * settings. Parsed by picocli from the one table of settings in {@link OptionTable}. Every option can also come from
 * an environment variable; the command line wins.
 *
 * @param host     the address to listen on
 * @param port     the port, 0 for any free one
 * @param scope    the path prefix before the id, without slashes at either end; empty for none
 * @param tls      the certificate and key for {@code wss://}, or {@code null} for plain {@code ws://}
 * @param settings the relay's limits
 * @param io       how the transport runs its I/O
 */
public record Options(String host, int port, String scope, Tls.Files tls, RelaySettings settings, IoTuning io) {

    /** Address to listen on: an IPv4 or IPv6 literal, or {@code localhost}. Default {@code 0.0.0.0}. */
    public static final Key IP = new Key("relay.ip", "0.0.0.0",
            "address to listen on: an IPv4 or IPv6 literal, or localhost");
    /** Port to listen on; 0 picks a free one and the launcher prints it. Default 8080. */
    public static final Key PORT = new Key("relay.port", "8080", "port; 0 picks a free one and the launcher prints it");
    /** Path prefix in front of the id, e.g. {@code relay} for {@code ws://host:8080/relay/<id>}. Default none. */
    public static final Key SCOPE = new Key("relay.scope", "",
            "path prefix before the id: --scope relay serves ws://host:8080/relay/<id>");
    /** Log records as plain lines ({@code plain}) or one JSON object per line ({@code json}). Default plain. */
    public static final Key LOG_FORMAT = new Key("relay.log-format", "plain",
            "log lines as plain text or json (one object per line)");
    /** PEM certificate chain (leaf first), or a PKCS#12 file; set together with the key to serve wss://. */
    public static final Key TLS_CERT = new Key("relay.tls-cert", "", "PEM certificate chain or PKCS#12 file");
    /** PEM private key in PKCS#8 ({@code BEGIN PRIVATE KEY}); not needed with a PKCS#12 file. */
    public static final Key TLS_KEY = new Key("relay.tls-key", "", "PEM PKCS#8 private key");
    /** Password of a PKCS#12 file. Default empty. */
    public static final Key TLS_PASSWORD = new Key("relay.tls-password", "", "password of the PKCS#12 file");

    private static final Pattern SCOPE_PATTERN = Pattern.compile("[A-Za-z0-9._~!$&'()*+,;=:@%-]+(/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final String SSL_USAGE = "'ssl' takes CERTIFICATE_PATH PRIVKEY_PATH (or one PKCS#12 file)";

    /** Options whose I/O tuning comes from the environment and the system properties, as before it was an option. */
    public Options(String host, int port, String scope, Tls.Files tls, RelaySettings settings) {
        this(host, port, scope, tls, settings, IoTuning.fromEnvironment());
    }

    /** What {@code main} is asked to do. */
    enum Action { RUN, HELP, VERSION }

    /** A parsed command line: the action and, to run, the options and the log format. */
    record Command(Action action, Options options, boolean jsonLogs) {
    }

    /**
     * @param args        the command line
     * @param environment the environment variables
     * @return what to do
     * @throws StartupException with exit code 2 for an unknown or malformed option or value
     */
    static Command parse(String[] args, UnaryOperator<String> environment) throws StartupException {
        CommandLine commandLine = OptionTable.commandLine();
        ParseResult result;
        try {
            result = commandLine.parseArgs(args);
        } catch (ParameterException e) {
            throw usage(explain(e, args));
        }
        for (ParseResult level = result; level != null; level = level.subcommand()) {
            if (level.isUsageHelpRequested()) {
                return new Command(Action.HELP, null, false);
            }
            if (level.isVersionHelpRequested()) {
                return new Command(Action.VERSION, null, false);
            }
        }
        UnaryOperator<String> none = name -> null;
        Map<String, String> given = OptionTable.given(commandLine);
        UnaryOperator<String> variables = variable -> given.getOrDefault(variable, environment.apply(variable));
        String host = given.getOrDefault(IP.variable(), IP.read(environment, none));
        String port = given.getOrDefault(PORT.variable(), PORT.read(environment, none));
        String scope = given.getOrDefault(SCOPE.variable(), SCOPE.read(environment, none));
        String logFormat = given.getOrDefault(LOG_FORMAT.variable(), LOG_FORMAT.read(environment, none));
        String cert = TLS_CERT.read(environment, none);
        String keyFile = TLS_KEY.read(environment, none);
        ParseResult ssl = result.subcommand();
        if (ssl != null) {
            List<String> files = ssl.matchedPositionals().stream().map(ArgSpec::getValue)
                    .map(String::valueOf).toList();
            if (files.isEmpty()) {
                throw usage(SSL_USAGE);
            }
            cert = files.get(0);
            keyFile = files.size() > 1 ? files.get(1) : "";
        }
        RelaySettings settings;
        IoTuning io;
        try {
            settings = RelaySettings.read(variables, System::getProperty);
            io = IoTuning.read(variables, System::getProperty);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        Tls.Files tls = null;
        if (!cert.isEmpty()) {
            tls = new Tls.Files(Path.of(cert), keyFile.isEmpty() ? null : Path.of(keyFile),
                    TLS_PASSWORD.read(environment, none).toCharArray());
        } else if (!keyFile.isEmpty()) {
            throw usage(TLS_KEY.variable() + " is set without " + TLS_CERT.variable());
        }
        boolean json = switch (logFormat) {
            case "json" -> true;
            case "plain" -> false;
            default -> throw usage("'" + logFormat + "' is not a log format (plain or json)");
        };
        return new Command(Action.RUN, new Options(host(host), port(port), scope(scope), tls, settings, io), json);
    }

    /** @return the text of {@code --help} */
    static String help() {
        return OptionTable.help();
    }

    /** @return one line that says what is wrong with the command line, with picocli's suggestions for a typo */
    private static String explain(ParameterException e, String[] args) {
        if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            String first = unmatched.getUnmatched().get(0);
            List<String> suggestions = unmatched.getSuggestions();
            String hint = suggestions.isEmpty() ? "" : "; did you mean " + String.join(" or ", suggestions) + "?";
            if (first.startsWith("-") && !first.equals("-")) {
                return "unknown option '" + first + "'" + hint;
            }
            if (unmatched.getCommandLine().getCommandName().equals(OptionTable.SSL)) {
                return SSL_USAGE;
            }
            return "unknown command '" + first + "' (the only command is 'ssl')";
        }
        if (e instanceof MissingParameterException missing) {
            ArgSpec arg = missing.getArgSpec() != null ? missing.getArgSpec()
                    : missing.getMissing().isEmpty() ? null : missing.getMissing().get(0);
            if (arg instanceof OptionSpec option) {
                return "option '" + typed(option, args) + "' needs a value";
            }
            return SSL_USAGE;
        }
        return e.getMessage().replaceAll("\\s*\\R\\s*", " ");
    }

    /** @return the name of {@code option} as the command line spells it */
    private static String typed(OptionSpec option, String[] args) {
        for (int i = args.length - 1; i >= 0; i--) {
            if (List.of(option.names()).contains(args[i])) {
                return args[i];
            }
        }
        return option.longestName();
    }

    /** @return the URL clients connect to, with {@code <id>} in place of the id */
    String url(int boundPort) {
        String shownHost = host.contains(":") ? "[" + host + "]" : host;
        return (tls == null ? "ws" : "wss") + "://" + shownHost + ":" + boundPort + "/"
                + (scope.isEmpty() ? "" : scope + "/") + "<id>";
    }

    /** @return the context path of the endpoint: {@code /} or {@code /scope} */
    String contextPath() {
        return scope.isEmpty() ? "/" : "/" + scope;
    }

    /** @return these options with another port */
    public Options withPort(int newPort) {
        return new Options(host, newPort, scope, tls, settings, io);
    }

    /** @return options for a relay on {@code host} and {@code port} with the given settings and nothing else */
    public static Options of(String host, int port, RelaySettings settings) {
        return new Options(host, port, "", null, settings);
    }

    private static String host(String value) throws StartupException {
        String host = value.startsWith("[") && value.endsWith("]") ? value.substring(1, value.length() - 1) : value;
        boolean ipv4 = IPV4.matcher(host).matches();
        boolean ipv6 = host.contains(":") && host.matches("[0-9A-Fa-f:.]+") && isIpv6Literal(host);
        if (!ipv4 && !ipv6 && !host.toLowerCase(Locale.ROOT).equals("localhost")) {
            throw usage("'" + value + "' is not an IP address (give an IPv4 or IPv6 literal, or localhost)");
        }
        if (ipv4) {
            for (String part : host.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    throw usage("'" + value + "' is not an IPv4 address");
                }
            }
        }
        return host;
    }

    /** Parses the literal only: in brackets, {@link InetAddress} never asks DNS. */
    private static boolean isIpv6Literal(String host) {
        try {
            InetAddress.getByName("[" + host + "]");
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static int port(String value) throws StartupException {
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw usage("'" + value + "' is not a port (0 to 65535)");
    }

    private static String scope(String value) throws StartupException {
        String scope = value.replaceAll("^/+", "").replaceAll("/+$", "");
        if (!scope.isEmpty() && !SCOPE_PATTERN.matcher(scope).matches()) {
            throw usage("'" + value + "' is not a valid path prefix");
        }
        return scope;
    }

    private static StartupException usage(String message) {
        return new StartupException(message, StartupException.USAGE);
    }
}
