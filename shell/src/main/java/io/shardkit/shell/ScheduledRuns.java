package io.shardkit.shell;

import io.shardkit.schedule.Schedule;
import io.shardkit.schedule.ScheduleRun;
import io.shardkit.schedule.Scheduler;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How a schedule's runbook runs: its stored text, with its variables, through the same command
 * lines as an operator's, each line checked before the first runs. A failing line ends the run
 * FAILED naming the schedule, FILE:LINE; losing the lead stops it before its next line.
 */
public final class ScheduledRuns {
    private ScheduledRuns() {}

    /** Runs here, speaking to {@code ctx}'s writers ({@code schedule run-now}). */
    public static Scheduler.Runner inline(Context ctx) {
        return (s, runId, fireTime, trigger, leading) -> run(ctx.derived(ctx.out(), ctx.err()).origin("schedule " + s.name() + " run " + runId + " (run-now)"), s,
                leading::getAsBoolean);
    }

    /** Runs in the daemon, each run speaking to {@code <home>/logs/schedules/NAME-RUN.log}. */
    public static Scheduler.Runner logged(Context daemon) {
        return (s, runId, fireTime, trigger, leading) -> {
            Path log = daemon.home().resolve("logs").resolve("schedules").resolve(s.name() + "-" + runId + ".log");
            try {
                Files.createDirectories(log.getParent());
            } catch (IOException e) {
                return new Scheduler.Result(ScheduleRun.Outcome.FAILED, "cannot create " + log.getParent() + ": " + e.getMessage());
            }
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
                w.println("schedule " + s.name() + " run " + runId + " for " + fireTime + " (" + trigger + ")");
                Scheduler.Result r = run(daemon.derived(w, w).origin("schedule " + s.name() + " run " + runId), s, leading::getAsBoolean);
                w.println("ended " + r.outcome() + ": " + r.detail());
                return r;
            } catch (IOException e) {
                return new Scheduler.Result(ScheduleRun.Outcome.FAILED, "cannot write " + log + ": " + e.getMessage());
            }
        };
    }

    private static Scheduler.Result run(Context ctx, Schedule s, java.util.function.BooleanSupplier leading) {
        Runbook book = Runbook.parse("schedule " + s.name() + " (" + s.runbookPath() + ")", s.runbookText(), s.vars());
        List<String> problems = book.validate(() -> Main.commandLine(ctx));
        if (!problems.isEmpty()) {
            problems.forEach(p -> ctx.err().println("error: " + p));
            return new Scheduler.Result(ScheduleRun.Outcome.FAILED, problems.getFirst() + " (nothing was executed)");
        }
        Runbook.Outcome o = book.execute(() -> Main.commandLine(ctx), ctx.out(), () -> !leading.getAsBoolean());
        if (o.ok()) return new Scheduler.Result(ScheduleRun.Outcome.SUCCEEDED, o.detail());
        if (!leading.getAsBoolean()) return new Scheduler.Result(ScheduleRun.Outcome.INTERRUPTED, o.detail());
        return new Scheduler.Result(ScheduleRun.Outcome.FAILED, o.detail());
    }
}
