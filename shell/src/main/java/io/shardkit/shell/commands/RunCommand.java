package io.shardkit.shell.commands;

import io.shardkit.shell.Context;
import io.shardkit.shell.ExitCodes;
import io.shardkit.shell.Main;
import io.shardkit.shell.Runbook;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Runs a runbook: a file of shell commands, all checked before the first one runs. */
@Command(name = "run", description = "Run a runbook (a file of shardkit commands, one per line, # comments).")
public final class RunCommand implements Callable<Integer> {
    private final Context ctx;
    @Parameters(paramLabel = "FILE") Path file;
    @Option(names = "--check", description = "Only validate every line; run nothing.") boolean checkOnly;

    RunCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        Runbook book = Runbook.read(file);
        List<String> problems = book.validate(() -> Main.commandLine(ctx));
        if (!problems.isEmpty()) {
            problems.forEach(p -> ctx.err().println("error: " + p));
            ctx.err().println("runbook not run: fix the lines above (nothing was executed)");
            return ExitCodes.BAD_INPUT;
        }
        if (checkOnly) {
            ctx.out().println(file + ": " + book.steps().size() + " commands, all valid");
            return ExitCodes.OK;
        }
        for (Runbook.Step step : book.steps()) {
            ctx.out().println(file.getFileName() + ":" + step.line() + "> " + step.text());
            ctx.out().flush();
            long began = System.nanoTime();
            int code = Main.commandLine(ctx).execute(step.args().toArray(String[]::new));
            ctx.out().printf("%s:%d %s in %.2f s%n", file.getFileName(), step.line(), code == 0 ? "done" : "failed", (System.nanoTime() - began) / 1e9);
            ctx.out().flush();
            if (code != 0) {
                ctx.err().println("runbook stopped at " + file + ":" + step.line() + " (exit " + code + ")");
                return code;
            }
        }
        return ExitCodes.OK;
    }
}
