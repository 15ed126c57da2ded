package io.websocketrelay.load;

import java.io.IOException;
import java.io.PrintStream;

/**
 * The project's load generator: {@code java -cp websocket-relay-standalone.jar io.websocketrelay.load.LoadTool
 * SCENARIO [OPTIONS]}. Runs one scenario (pingpong, stream, connect, churn, room) against a relay on a loopback address
 * and prints one summary line, or one JSON line with {@code --json}. Exit code 0 when no message was lost,
 * duplicated, reordered, corrupted or misrouted, 1 when one was or the run failed, 2 for a bad command line.
 */
public final class LoadTool {

    private LoadTool() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && (args[0].equals("-h") || args[0].equals("--help"))) {
            out.print(LoadOptions.usage());
            return 0;
        }
        LoadOptions options;
        try {
            options = LoadOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("load: " + e.getMessage());
            err.print(LoadOptions.usage());
            return 2;
        }
        try {
            Report report = Scenario.of(options).run();
            out.println(options.json() ? report.json() : report.summary());
            return report.ok() ? 0 : 1;
        } catch (IOException e) {
            err.println("load: " + options.scenario() + " failed: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("load: interrupted");
            return 1;
        }
    }

    /** Runs a scenario in this JVM and returns its figures (for the tests). */
    static Report runScenario(String... args) throws IOException, InterruptedException {
        return Scenario.of(LoadOptions.parse(args)).run();
    }
}
