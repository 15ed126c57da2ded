package io.websocketrelay.launcher;

/** The relay cannot start as asked; the message is one line for the user, without a stack trace. */
public final class StartupException extends Exception {

    private final int exitCode;

    StartupException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    StartupException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** Exit code for a mistake on the command line or in the environment. */
    static final int USAGE = 2;
    /** Exit code for anything else that stops the relay from starting. */
    static final int FAILURE = 1;

    /** @return the process exit code for this failure */
    public int exitCode() {
        return exitCode;
    }
}
