package io.shardkit.shell;

import io.shardkit.catalog.CatalogException;
import io.shardkit.mysql.CredentialRef;
import io.shardkit.sandbox.SandboxException;
import io.shardkit.topology.TopologyException;
import picocli.CommandLine;

/**
 * Maps exceptions to one clear line on stderr and an exit code. No stack trace for expected
 * failures; the unexpected ones print their class so a bug report has something to go on.
 */
final class Failures implements CommandLine.IExecutionExceptionHandler {
    private final Context ctx;

    Failures(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        String where = cmd.getCommandName();
        if (ex instanceof InterruptedException || ex.getCause() instanceof InterruptedException) {
            ctx.err().println("cancelled: " + where);
            return ExitCodes.CANCELLED;
        }
        if (ex instanceof TopologyException t) {
            ctx.err().println("error: invalid topology:");
            t.problems().forEach(p -> ctx.err().println("  " + p));
            return ExitCodes.BAD_INPUT;
        }
        if (ex instanceof io.shardkit.merge.PlanException p) {
            ctx.err().println("error: " + p.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        if (ex instanceof CredentialRef.UnresolvedCredential || ex instanceof IllegalArgumentException) {
            ctx.err().println("error: " + ex.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        if (ex instanceof SandboxException || ex instanceof CatalogException || ex instanceof IllegalStateException) {
            org.slf4j.LoggerFactory.getLogger(Failures.class).warn(where + " failed", ex); // its causes, for the log file
            ctx.err().println("error: " + ex.getMessage());
            return ExitCodes.FAILED;
        }
        // unexpected: one line here, the whole trace in the log file (and here with --debug)
        org.slf4j.LoggerFactory.getLogger(Failures.class).error(where + " failed", ex);
        ctx.err().println("error: " + where + " failed: " + ex.getClass().getSimpleName() + ": " + ex.getMessage()
                + (ctx.debug() ? "" : " (details: " + LogSetup.file(ctx.home()) + ")"));
        return ExitCodes.FAILED;
    }
}
