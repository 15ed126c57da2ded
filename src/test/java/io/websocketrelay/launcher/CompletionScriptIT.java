package io.websocketrelay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The bash completion script that the build writes next to the jar ({@code target/websocket-relay_completion}):
 * generated from the options that the launcher parses, and completing them in a real bash.
 */
class CompletionScriptIT {

    private static Path script;

    @BeforeAll
    static void findScript() {
        String property = System.getProperty("relay.completion.script");
        assertNotNull(property, "failsafe sets relay.completion.script; run with mvn verify");
        script = Path.of(property);
        assertTrue(Files.isRegularFile(script), () -> script + " is missing; run mvn package first");
        String jar = System.getProperty("relay.standalone.jar");
        assertNotNull(jar);
        assertEquals(Path.of(jar).getParent(), script.getParent(), "the script is next to the jar");
    }

    @Test
    void mentionsEveryOptionAndTheSslCommand() throws IOException {
        String text = Files.readString(script, StandardCharsets.UTF_8);
        assertTrue(text.contains("complete -F _complete_websocket-relay"), "registers a completion for websocket-relay");
        for (OptionSpec option : OptionTable.commandLine().getCommandSpec().options()) {
            for (String name : option.names()) {
                assertTrue(text.contains("'" + name + "'"), () -> name + " is not in the completion script");
            }
        }
        assertTrue(text.contains("ssl"), "the ssl command");
    }

    @Test
    void bashCompletesOptionsCommandsAndValues() throws Exception {
        assertEquals(List.of("--max-message-bytes"), complete("--max-m"));
        assertEquals(List.of("--selector-threads", "--send-buffer-bytes"), complete("--se"));
        assertEquals(List.of("ssl"), complete("ss"));
        assertEquals(List.of("same", "worker"), complete("--io-strategy", ""));
        assertEquals(List.of("json"), complete("--log-format", "j"));
        assertEquals(List.of("--port"), complete("ssl", "--po"), "options after ssl too");
    }

    /** @return what bash offers for the last of {@code words} typed after {@code websocket-relay}, sorted */
    private static List<String> complete(String... words) throws Exception {
        Path bash = Path.of("/bin/bash");
        if (!Files.isExecutable(bash)) {
            if ("true".equals(System.getenv("CI"))) {
                fail("/bin/bash is missing (CI=true: the completion test must run)");
            }
            Assumptions.abort("/bin/bash is missing");
        }
        String program = "source \"$1\"; shift; COMP_WORDS=(websocket-relay \"$@\"); COMP_CWORD=$#;"
                + " COMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE}; _complete_websocket-relay 2>/dev/null;"
                + " printf '%s\\n' \"${COMPREPLY[@]}\"";
        List<String> command = new ArrayList<>(List.of(bash.toString(), "--norc", "--noprofile", "-c", program,
                "bash", script.toString()));
        command.addAll(Arrays.asList(words));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "bash did not finish");
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), output);
        return output.lines().map(String::strip).filter(line -> !line.isEmpty()).sorted().toList();
    }
}
