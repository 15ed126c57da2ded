package io.websocketrelay.launcher;

import io.websocketrelay.config.Key;
import io.websocketrelay.config.RelaySettings;
import io.websocketrelay.launcher.io.IoTuning;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine;

/**
 * The launcher's settings as one table: every {@link Key} of the launcher, of {@link RelaySettings} and of
 * {@link IoTuning} becomes a picocli option, and picocli's model built here is what parses the command line, what
 * {@code --help} prints (the README's Configuration table is the same rows) and what the shell completion script
 * is generated from. Nothing about an option is written twice.
 */
final class OptionTable {

    static final String NAME = "websocket-relay";
    static final String SSL = "ssl";
    /** Columns of {@code --help}: fixed, so that the text is the same on every terminal and in the README. */
    static final int WIDTH = 80;
    private static final String NL = System.lineSeparator();
    private static final String ROW_INDENT = "  ";
    private static final String TEXT_INDENT = "        ";

    /** One form of the {@code ssl} command: its parameters, what it does, and the variables that do the same. */
    record SslForm(List<String> parameters, String meaning, List<Key> keys) {
    }

    static final List<SslForm> SSL_FORMS = List.of(
            new SslForm(List.of("CERTIFICATE_PATH", "PRIVKEY_PATH"), "serve wss:// (TLS 1.2 and 1.3) with a PEM"
                    + " certificate chain, leaf first, and a PEM PKCS#8 private key",
                    List.of(Options.TLS_CERT, Options.TLS_KEY)),
            new SslForm(List.of("KEYSTORE.p12"), "the same from one PKCS#12 file and its password",
                    List.of(Options.TLS_CERT, Options.TLS_PASSWORD)));

    /** A heading of {@code --help} and its options, by their longest name, in order. */
    private record Section(String key, String heading, List<String> options) {
    }

    private static final Map<Key, String> SHORT_NAMES = Map.of(Options.IP, "-i", Options.PORT, "-p",
            Options.SCOPE, "-s");
    private static final Map<Key, String> LABELS = Map.ofEntries(Map.entry(Options.IP, "<IP>"),
            Map.entry(Options.PORT, "<PORT>"), Map.entry(Options.SCOPE, "<PREFIX>"),
            Map.entry(Options.LOG_FORMAT, "<FORMAT>"), Map.entry(RelaySettings.ID_PATTERN, "<REGEX>"),
            Map.entry(RelaySettings.ALLOWED_ORIGINS, "<ORIGINS>"), Map.entry(RelaySettings.TOKEN, "<SECRET>"),
            Map.entry(RelaySettings.JWT_HMAC_KEY, "<KEY>"), Map.entry(RelaySettings.JWT_PUBLIC_KEY, "<FILE>"),
            Map.entry(RelaySettings.JWT_AUDIENCE, "<AUD>"), Map.entry(RelaySettings.JWT_ISSUER, "<ISS>"),
            Map.entry(RelaySettings.TRUSTED_PROXIES, "<CIDRS>"), Map.entry(RelaySettings.REDIS_URL, "<URL>"),
            Map.entry(RelaySettings.CLUSTER_NAME, "<NAME>"), Map.entry(IoTuning.IO_STRATEGY, "<STRATEGY>"));
    private static final Map<Key, List<String>> CANDIDATES = Map.of(Options.LOG_FORMAT, List.of("plain", "json"),
            IoTuning.IO_STRATEGY, List.of("same", "worker"));

    private static final List<Key> LAUNCHER_KEYS = List.of(Options.IP, Options.PORT, Options.SCOPE,
            Options.LOG_FORMAT);
    private static final List<Section> SECTIONS = List.of(
            new Section("options", "Options:", names(LAUNCHER_KEYS, "--help", "--version")),
            new Section("limits", "Limits and checks (read the same way on an application server):",
                    names(RelaySettings.KEYS.stream().filter(key -> !RelaySettings.CLUSTER_KEYS.contains(key))
                            .toList())),
            new Section("cluster", "Several nodes as one relay, on Redis:",
                    names(RelaySettings.CLUSTER_KEYS)),
            new Section("io", "I/O of the standalone relay:", names(IoTuning.KEYS)));

    private OptionTable() {
    }

    /** @return every key that is an option, in the order of {@code --help} */
    static List<Key> keys() {
        List<Key> keys = new ArrayList<>(LAUNCHER_KEYS);
        keys.addAll(RelaySettings.KEYS);
        keys.addAll(IoTuning.KEYS);
        return keys;
    }

    /** @return a fresh parser of the launcher's command line: one per parse, since it holds the values */
    static CommandLine commandLine() {
        CommandSpec spec = CommandSpec.create().name(NAME).version(NAME + " " + Launcher.version());
        for (Key key : keys()) {
            spec.addOption(option(key));
        }
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).scopeType(ScopeType.INHERIT)
                .description("print this help and exit").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true).scopeType(ScopeType.INHERIT)
                .description("print the version and exit").build());
        CommandSpec ssl = CommandSpec.create().name(SSL);
        ssl.usageMessage().description(SSL_FORMS.get(0).meaning());
        ssl.addPositional(PositionalParamSpec.builder().index("0").arity("1").required(true).type(Path.class)
                .paramLabel("<" + SSL_FORMS.get(0).parameters().get(0) + ">").build());
        ssl.addPositional(PositionalParamSpec.builder().index("1").arity("0..1").required(false).type(Path.class)
                .paramLabel("<" + SSL_FORMS.get(0).parameters().get(1) + ">").build());
        spec.addSubcommand(SSL, ssl); // after the options: the inherited ones are copied into it here
        usage(spec.usageMessage());
        return new CommandLine(spec).setExpandAtFiles(false).setOverwrittenOptionsAllowed(true);
    }

    /** @return the text of {@code --help}, without colours */
    static String help() {
        return commandLine().getUsageMessage(Help.Ansi.OFF);
    }

    /** @return the values given on the command line, by variable; keys not given are absent */
    static Map<String, String> given(CommandLine commandLine) {
        Map<String, String> given = new LinkedHashMap<>();
        for (Key key : keys()) {
            String value = commandLine.getCommandSpec().findOption(key.option()).getValue();
            if (value != null) {
                given.put(key.variable(), value);
            }
        }
        return given;
    }

    private static OptionSpec option(Key key) {
        String shortName = SHORT_NAMES.get(key);
        OptionSpec.Builder option = shortName == null ? OptionSpec.builder(key.option())
                : OptionSpec.builder(shortName, key.option());
        option.type(String.class).arity("1").paramLabel(LABELS.getOrDefault(key, label(key)))
                .scopeType(ScopeType.INHERIT)
                .description(key.description(), brackets(List.of(key), key.defaultValue()));
        if (CANDIDATES.containsKey(key)) {
            option.completionCandidates(CANDIDATES.get(key));
        }
        return option.build();
    }

    private static String label(Key key) {
        String property = key.property();
        if (property.endsWith("-bytes")) {
            return "<BYTES>";
        }
        return property.endsWith("-ms") ? "<MS>" : "<N>";
    }

    private static String brackets(List<Key> keys, String defaultValue) {
        return "[" + keys.stream().map(Key::variable).collect(Collectors.joining(", ")) + ", default "
                + (defaultValue.isEmpty() ? "none" : defaultValue) + "]";
    }

    private static List<String> names(List<Key> keys, String... more) {
        List<String> names = new ArrayList<>(keys.stream().map(Key::option).toList());
        names.addAll(List.of(more));
        return names;
    }

    private static void usage(UsageMessageSpec usage) {
        usage.width(WIDTH).autoWidth(false)
                .customSynopsis(NAME + " [OPTIONS] [" + SSL + " CERTIFICATE_PATH PRIVKEY_PATH]",
                        " ".repeat(usage.synopsisHeading().length()) + NAME + " [OPTIONS] [" + SSL + " KEYSTORE.p12]")
                .description("Pairs the two clients that connect to ws://HOST:PORT/<id> with the same id and relays"
                        + " every message between them. Each setting can also be set by the environment variable in"
                        + " brackets (the command line wins); the limits, the checks and the I/O settings also by"
                        + " the system property of the same name in lower case with dots (RELAY_MAX_MESSAGE_BYTES is"
                        + " relay.max-message-bytes).");
        List<String> keys = new ArrayList<>(List.of(UsageMessageSpec.SECTION_KEY_SYNOPSIS_HEADING,
                UsageMessageSpec.SECTION_KEY_SYNOPSIS, UsageMessageSpec.SECTION_KEY_DESCRIPTION_HEADING,
                UsageMessageSpec.SECTION_KEY_DESCRIPTION));
        Map<String, CommandLine.IHelpSectionRenderer> renderers = new LinkedHashMap<>(usage.sectionMap());
        for (Section section : SECTIONS) {
            keys.add(section.key());
            renderers.put(section.key(), help -> section(help.commandSpec(), section));
            if (section.key().equals("options")) {
                keys.add("commands");
                renderers.put("commands", help -> commands());
            }
        }
        usage.descriptionHeading("%n").sectionKeys(keys).sectionMap(renderers);
    }

    private static String section(CommandSpec spec, Section section) {
        StringBuilder text = new StringBuilder(NL).append(section.heading()).append(NL);
        for (String name : section.options()) {
            OptionSpec option = spec.findOption(name);
            String shortName = option.shortestName().startsWith("--") ? "    " : option.shortestName() + ", ";
            String label = option.typeInfo().isBoolean() ? "" : " " + option.paramLabel();
            row(text, ROW_INDENT + shortName + option.longestName() + label, option.description());
        }
        return text.toString();
    }

    private static String commands() {
        StringBuilder text = new StringBuilder(NL).append("Commands:").append(NL);
        for (SslForm form : SSL_FORMS) {
            String parameters = form.parameters().stream().map(p -> "<" + p + ">").collect(Collectors.joining(" "));
            row(text, ROW_INDENT + SSL + " " + parameters, form.meaning(), brackets(form.keys(), ""));
        }
        return text.toString();
    }

    /** One row: the names on a line of their own, then the meaning wrapped, then each further line as it is. */
    private static void row(StringBuilder text, String names, String... description) {
        text.append(names).append(NL);
        wrap(text, description[0]);
        for (int i = 1; i < description.length; i++) {
            text.append(TEXT_INDENT).append(description[i]).append(NL);
        }
    }

    private static void wrap(StringBuilder text, String words) {
        StringBuilder line = new StringBuilder();
        // "0 = off" stays on one line
        for (String word : words.replace(" = ", "\u0000=\u0000").split(" ")) {
            word = word.replace('\u0000', ' ');
            if (line.length() > 0 && TEXT_INDENT.length() + line.length() + 1 + word.length() > WIDTH) {
                text.append(TEXT_INDENT).append(line).append(NL);
                line.setLength(0);
            }
            line.append(line.length() > 0 ? " " : "").append(word);
        }
        text.append(TEXT_INDENT).append(line).append(NL);
    }
}
