package io.websocketrelay.launcher;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * {@code java -jar websocket-relay-standalone.jar [OPTIONS] [ssl CERT KEY]}: starts the relay, prints the URL it
 * serves, and runs until it is stopped (Ctrl-C or SIGTERM close every session with 1001).
 *
 * <p>Exit codes: 0 for {@code --help}/{@code --version}; 143 (the JVM's code for SIGTERM) or 130 (Ctrl-C) after a
 * clean stop; 1 when the relay cannot start; 2 for a mistake on the command line or in the environment. Errors are
 * one line on standard error.
 */
public final class Launcher {

    private static final Logger LOG = Logger.getLogger(Launcher.class.getName());

    /** Strong references: a logger's level is lost when nothing holds the logger. */
    private static final List<Logger> QUIET_LOGGERS = new ArrayList<>();

    private Launcher() {
    }

    public static void main(String[] args) {
        int code = run(args, System::getenv, System.out, System.err);
        if (code >= 0) {
            System.exit(code);
        }
    }

    /**
     * Runs the command line.
     *
     * @return the exit code, or -1 when the relay ran until the JVM began to shut down
     */
    static int run(String[] args, UnaryOperator<String> environment, PrintStream out, PrintStream err) {
        try {
            Options.Command command = Options.parse(args, environment);
            switch (command.action()) {
                case HELP -> out.print(Options.help());
                case VERSION -> out.println("websocket-relay " + version());
                case RUN -> {
                    configureLogging(command.jsonLogs());
                    serve(command.options(), out);
                    return -1; // stopped by a signal: the JVM is exiting already
                }
                default -> throw new IllegalStateException(command.action().toString());
            }
            return 0;
        } catch (StartupException e) {
            err.println("websocket-relay: error: " + e.getMessage());
            if (e.exitCode() == StartupException.USAGE) {
                err.println("Try 'websocket-relay --help' for the options.");
            }
            return e.exitCode();
        }
    }

    private static void serve(Options options, PrintStream out) throws StartupException {
        RelayServer server = RelayServer.start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.log(Level.INFO, "websocket-relay stopping: closing {0} sessions with 1001",
                    server.registry().connections());
            server.close();
            System.err.println("websocket-relay stopped");
            stopped.countDown();
        }, "relay-shutdown"));
        LOG.log(Level.INFO, "websocket-relay {0} serving {1}", new Object[] {version(), server.url()});
        out.println("websocket-relay " + version() + " serving " + server.url());
        out.flush();
        // Grizzly's threads are daemons: the main thread keeps the JVM up until the hook has stopped the relay
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String version() {
        String version = Launcher.class.getPackage().getImplementationVersion();
        return version == null ? "development" : version;
    }

    /** One line per record, plain or JSON; the libraries' start-up chatter only at WARNING. */
    private static void configureLogging(boolean json) {
        if (System.getProperty("java.util.logging.config.file") == null) {
            if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
                System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$s %3$s: %5$s%6$s%n");
            }
            Formatter formatter = json ? new JsonLogFormatter() : new SimpleFormatter();
            for (Handler handler : Logger.getLogger("").getHandlers()) {
                handler.setFormatter(formatter);
            }
            for (String quiet : new String[] {"org.glassfish", "org.jboss.weld"}) {
                Logger logger = Logger.getLogger(quiet);
                logger.setLevel(Level.WARNING);
                QUIET_LOGGERS.add(logger);
            }
        }
    }
}
