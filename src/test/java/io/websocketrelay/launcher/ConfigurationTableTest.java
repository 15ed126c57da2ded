package io.websocketrelay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The one table of settings: {@code --help} lists every option that picocli parses, and the README's Configuration
 * table is the same rows as {@code --help}, in the same order, so that neither can drift from the other.
 */
class ConfigurationTableTest {

    /** One row: what to type, the variables that set the same, the default, and what it means. */
    record Row(String option, String variables, String defaultValue, String meaning) {
    }

    private static final Pattern BRACKETS = Pattern.compile("\\[(.*?)(?:, default (.*))?]");

    /**
     * @return the rows of {@code --help} from its first heading {@code Options:} on: a row's first line at two
     *         spaces, its text below it at eight
     */
    static List<Row> helpRows(String help) {
        List<Row> rows = new ArrayList<>();
        String option = null;
        List<String> text = new ArrayList<>();
        List<String> lines = (help + "\n\n").lines().toList();
        int options = lines.indexOf("Options:");
        assertTrue(options > 0, help);
        for (String line : lines.subList(options, lines.size())) {
            boolean continuation = line.startsWith("        ") && option != null;
            if (continuation) {
                text.add(line.strip());
                continue;
            }
            if (option != null) {
                rows.add(row(option, text));
                option = null;
                text = new ArrayList<>();
            }
            if (line.startsWith("  ") && !line.isBlank()) {
                option = line.strip();
            }
        }
        return rows;
    }

    private static Row row(String option, List<String> text) {
        String variables = "";
        String defaultValue = "";
        Matcher brackets = text.isEmpty() ? null : BRACKETS.matcher(text.get(text.size() - 1));
        if (brackets != null && brackets.matches()) {
            variables = brackets.group(1);
            defaultValue = brackets.group(2) == null ? "" : brackets.group(2);
            text = text.subList(0, text.size() - 1);
        }
        return new Row(option, variables, defaultValue, String.join(" ", text));
    }

    /** @return the rows of the table in the README's Configuration section, without the markdown's code spans */
    static List<Row> readmeRows(String readme) {
        int start = readme.indexOf("\n## Configuration\n");
        assertTrue(start >= 0, "README has a Configuration section");
        int end = readme.indexOf("\n## ", start + 1);
        List<String> lines = readme.substring(start, end < 0 ? readme.length() : end).lines()
                .filter(line -> line.startsWith("|")).toList();
        assertFalse(lines.isEmpty(), "the Configuration section has a table");
        assertEquals("| option | environment variable | default | meaning |", lines.get(0));
        List<Row> rows = new ArrayList<>();
        for (String line : lines.subList(2, lines.size())) {
            String[] cells = line.substring(1, line.length() - 1).split("\\|", -1);
            assertEquals(4, cells.length, line);
            rows.add(new Row(plain(cells[0]), plain(cells[1]), plain(cells[2]), plain(cells[3])));
        }
        return rows;
    }

    private static String plain(String cell) {
        return cell.replace("`", "").replaceAll("\\s+", " ").strip();
    }

    @Test
    void helpListsEveryOptionThatIsParsed() {
        List<String> rowStarts = helpRows(Options.help()).stream().map(Row::option).toList();
        for (OptionSpec option : OptionTable.commandLine().getCommandSpec().options()) {
            assertTrue(rowStarts.stream().anyMatch(row -> List.of(row.split("[ ,]+")).contains(option.longestName())),
                    () -> option.longestName() + " is parsed but missing from --help");
        }
    }

    @Test
    void everyOptionShowsItsVariableAndDefault() {
        for (Row row : helpRows(Options.help())) {
            if (!row.option().contains("--help") && !row.option().contains("--version")) {
                assertTrue(row.variables().startsWith("RELAY_"), row::toString);
                assertFalse(row.defaultValue().isEmpty(), row::toString);
            }
            assertFalse(row.meaning().isEmpty(), row::toString);
        }
    }

    @Test
    void helpRowsParse() {
        List<Row> rows = helpRows(Options.help());
        assertEquals(new Row("-i, --ip <IP>", "RELAY_IP", "0.0.0.0",
                "address to listen on: an IPv4 or IPv6 literal, or localhost"), rows.get(0));
        assertTrue(rows.contains(new Row("--io-strategy <STRATEGY>", "RELAY_IO_STRATEGY", "same",
                "same: the selector thread relays a message itself (the relay never blocks while handling one);"
                        + " worker: hand each read to a worker pool")), rows::toString);
        assertTrue(rows.stream().anyMatch(row -> row.option().equals("--selector-threads <N>")
                && row.variables().equals("RELAY_SELECTOR_THREADS")), rows::toString);
        assertTrue(rows.stream().anyMatch(row -> row.option().equals("ssl <CERTIFICATE_PATH> <PRIVKEY_PATH>")
                && row.variables().equals("RELAY_TLS_CERT, RELAY_TLS_KEY")), rows::toString);
    }

    @Test
    void readmeTableIsTheHelp() throws IOException {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        List<Row> help = helpRows(Options.help());
        List<Row> documented = readmeRows(readme);
        for (int i = 0; i < Math.min(help.size(), documented.size()); i++) {
            assertEquals(help.get(i), documented.get(i), "row " + (i + 1) + " of the README's Configuration table");
        }
        assertEquals(help.size(), documented.size(), "rows in --help and in the README");
    }
}
