package io.websocketrelay.launcher;

import io.websocketrelay.config.Key;
import io.websocketrelay.config.RelaySettings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The launcher's command line, compatible with the original's: {@code -i/--ip}, {@code -p/--port},
 * {@code -s/--scope} and the subcommand {@code ssl CERTIFICATE_PATH PRIVKEY_PATH}, plus the relay's limits. Every
 * option can also come from an environment variable; the command line wins.
 *
 * @param host     the address to listen on
 * @param port     the port, 0 for any free one
 * @param scope    the path prefix before the id, without slashes at either end; empty for none
 * @param tls      the certificate and key for {@code wss://}, or {@code null} for plain {@code ws://}
 * @param settings the relay's limits
 */
public record Options(String host, int port, String scope, Tls.Files tls, RelaySettings settings) {

    /** Address to listen on: an IPv4 or IPv6 literal, or {@code localhost}. Default {@code 0.0.0.0}. */
    public static final Key IP = new Key("relay.ip", "0.0.0.0", "address to listen on");
    /** Port to listen on; 0 picks a free one and the launcher prints it. Default 8080. */
    public static final Key PORT = new Key("relay.port", "8080", "port; 0 picks a free one");
    /** Path prefix in front of the id, e.g. {@code relay} for {@code ws://host:8080/relay/<id>}. Default none. */
    public static final Key SCOPE = new Key("relay.scope", "", "path prefix before the id");
    /** Log records as plain lines ({@code plain}) or one JSON object per line ({@code json}). Default plain. */
    public static final Key LOG_FORMAT = new Key("relay.log-format", "plain", "log lines as plain text or JSON");
    /** PEM certificate chain (leaf first), or a PKCS#12 file; set together with the key to serve wss://. */
    public static final Key TLS_CERT = new Key("relay.tls-cert", "", "PEM certificate chain or PKCS#12 file");
    /** PEM private key in PKCS#8 ({@code BEGIN PRIVATE KEY}); not needed with a PKCS#12 file. */
    public static final Key TLS_KEY = new Key("relay.tls-key", "", "PEM PKCS#8 private key");
    /** Password of a PKCS#12 file. Default empty. */
    public static final Key TLS_PASSWORD = new Key("relay.tls-password", "", "password of the PKCS#12 file");

    private static final Map<String, Key> SETTINGS_BY_OPTION = RelaySettings.KEYS.stream()
            .collect(Collectors.toUnmodifiableMap(Key::option, key -> key));

    private static final Pattern SCOPE_PATTERN = Pattern.compile("[A-Za-z0-9._~!$&'()*+,;=:@%-]+(/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

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
        UnaryOperator<String> none = name -> null;
        String host = IP.read(environment, none);
        String port = PORT.read(environment, none);
        String scope = SCOPE.read(environment, none);
        String logFormat = LOG_FORMAT.read(environment, none);
        String cert = TLS_CERT.read(environment, none);
        String keyFile = TLS_KEY.read(environment, none);
        Map<String, String> limits = new HashMap<>();
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value = null;
            int equals = arg.indexOf('=');
            if (arg.startsWith("--") && equals > 0) {
                name = arg.substring(0, equals);
                value = arg.substring(equals + 1);
            }
            switch (name) {
                case "-h", "--help" -> {
                    return new Command(Action.HELP, null, false);
                }
                case "-V", "--version" -> {
                    return new Command(Action.VERSION, null, false);
                }
                case "-i", "--ip" -> host = value != null ? value : next(args, ++i, name);
                case "-p", "--port" -> port = value != null ? value : next(args, ++i, name);
                case "-s", "--scope" -> scope = value != null ? value : next(args, ++i, name);
                case "--log-format" -> logFormat = value != null ? value : next(args, ++i, name);
                default -> {
                    Key key = SETTINGS_BY_OPTION.get(name);
                    if (key != null) {
                        limits.put(key.variable(), value != null ? value : next(args, ++i, name));
                    } else if (arg.startsWith("-") && !arg.equals("-")) {
                        throw usage("unknown option '" + arg + "'");
                    } else {
                        positional.add(arg);
                    }
                }
            }
        }
        if (!positional.isEmpty()) {
            if (!positional.get(0).equals("ssl")) {
                throw usage("unknown command '" + positional.get(0) + "' (the only command is 'ssl')");
            }
            if (positional.size() < 2 || positional.size() > 3) {
                throw usage("'ssl' takes CERTIFICATE_PATH PRIVKEY_PATH (or one PKCS#12 file)");
            }
            cert = positional.get(1);
            keyFile = positional.size() == 3 ? positional.get(2) : "";
        }
        RelaySettings settings;
        try {
            settings = RelaySettings.read(variable -> limits.getOrDefault(variable, environment.apply(variable)),
                    System::getProperty);
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
        return new Command(Action.RUN, new Options(host(host), port(port), scope(scope), tls, settings), json);
    }

    /** @return the text of {@code --help} */
    static String help() {
        StringBuilder help = new StringBuilder("""
                Usage: websocket-relay [OPTIONS] [ssl CERTIFICATE_PATH PRIVKEY_PATH | ssl KEYSTORE.p12]

                Pairs the two clients that connect to ws://HOST:PORT/<id> with the same id and relays every message
                between them. Each option can also be set by the environment variable in brackets (the command line
                wins); the relay's limits also by the system property of the same name in lower case with dots.

                  -i, --ip <IP>          address to listen on                              [RELAY_IP, default 0.0.0.0]
                  -p, --port <PORT>      port; 0 picks a free one                          [RELAY_PORT, default 8080]
                  -s, --scope <PREFIX>   path prefix before the id                         [RELAY_SCOPE, default none]
                      --log-format <F>   log lines as plain text or json                   [RELAY_LOG_FORMAT, default plain]
                  -h, --help             print this help
                  -V, --version          print the version

                Limits and checks:
                """);
        for (Key key : RelaySettings.KEYS) {
            help.append(String.format(Locale.ROOT, "  %s <VALUE>%n        %s%n        [%s, default %s]%n",
                    key.option(), key.description(), key.variable(),
                    key.defaultValue().isEmpty() ? "none" : key.defaultValue()));
        }
        help.append("""

                Commands:
                  ssl <CERTIFICATE_PATH> <PRIVKEY_PATH>
                        serve wss:// (TLS 1.2 and 1.3) with a PEM certificate chain, leaf first, and a PEM PKCS#8
                        private key                                     [RELAY_TLS_CERT, RELAY_TLS_KEY]
                  ssl <KEYSTORE.p12>
                        the same from one PKCS#12 file                  [RELAY_TLS_CERT, RELAY_TLS_PASSWORD]
                """);
        return help.toString();
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
        return new Options(host, newPort, scope, tls, settings);
    }

    /** @return options for a relay on {@code host} and {@code port} with the given settings and nothing else */
    public static Options of(String host, int port, RelaySettings settings) {
        return new Options(host, port, "", null, settings);
    }

    private static String next(String[] args, int index, String option) throws StartupException {
        if (index >= args.length) {
            throw usage("option '" + option + "' needs a value");
        }
        return args[index];
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
