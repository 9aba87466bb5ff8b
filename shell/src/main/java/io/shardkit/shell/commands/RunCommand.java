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

/** Runs a runbook: a file of shell commands, all resolved and checked before the first one runs. */
@Command(name = "run", description = {"Run a runbook (a file of shardkit commands, one per line, # comments).",
        "${name} is replaced by --var name=VALUE, ${name:-default} falls back to its default."})
public final class RunCommand implements Callable<Integer> {
    private final Context ctx;
    @Parameters(paramLabel = "FILE") Path file;
    @Option(names = "--var", paramLabel = "NAME=VALUE", description = "A variable for ${NAME} (repeatable).") List<String> vars;
    @Option(names = {"--dry-run", "--check"}, description = "Resolve and check every line and print what would run; run nothing.") boolean dryRun;

    RunCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        Runbook book = Runbook.read(file, Runbook.vars(vars));
        List<String> problems = book.validate(() -> Main.commandLine(ctx));
        if (!problems.isEmpty()) {
            problems.forEach(p -> ctx.err().println("error: " + p));
            ctx.err().println("runbook not run: fix the lines above (nothing was executed)");
            return ExitCodes.BAD_INPUT;
        }
        if (dryRun) {
            for (Runbook.Step s : book.steps()) ctx.out().println(file.getFileName() + ":" + s.line() + " would run: shardkit " + s.text());
            ctx.out().println(file + ": " + book.steps().size() + " commands, all valid (dry run: nothing was executed)");
            return ExitCodes.OK;
        }
        Context lines = ctx.derived(ctx.out(), ctx.err()).origin("runbook " + file.toAbsolutePath());
        Runbook.Outcome o = book.execute(() -> Main.commandLine(lines), ctx.out(), () -> false);
        if (!o.ok()) ctx.err().println("runbook stopped at " + file + ":" + o.failedLine() + " (exit " + o.exitCode() + ")");
        return o.exitCode();
    }
}
