package io.shardkit.shell;

/** Process exit codes, stable for scripts. */
public final class ExitCodes {
    public static final int OK = 0;
    /** The operation ran and failed (server error, timeout, unhealthy result). */
    public static final int FAILED = 1;
    /** Command line not understood (picocli's own code). */
    public static final int USAGE = 2;
    /** Input files or arguments are invalid: nothing was changed. */
    public static final int BAD_INPUT = 3;
    /** Checks found problems (topology check with errors). */
    public static final int FINDINGS = 4;
    /** Stopped by the operator (Ctrl-C in the shell), as a shell reports a SIGINT. */
    public static final int CANCELLED = 130;

    private ExitCodes() {}
}
