package io.shardkit.shell.commands;

import io.shardkit.catalog.Catalog;
import io.shardkit.schedule.Cron;
import io.shardkit.schedule.Schedule;
import io.shardkit.schedule.ScheduleRun;
import io.shardkit.schedule.ScheduleStore;
import io.shardkit.schedule.Scheduler;
import io.shardkit.shell.Context;
import io.shardkit.shell.ExitCodes;
import io.shardkit.shell.Main;
import io.shardkit.shell.Runbook;
import io.shardkit.shell.ScheduledRuns;
import io.shardkit.shell.render.Table;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "schedule", description = {"Runbooks run on a cron schedule by the leading daemon (stored in the catalog: every daemon of the fleet sees them).",
        "Each due time runs once, whichever daemon leads; a schedule never has two runs at once."},
        subcommands = {ScheduleCommand.Add.class, ScheduleCommand.ListCmd.class, ScheduleCommand.Show.class, ScheduleCommand.Remove.class,
                ScheduleCommand.Pause.class, ScheduleCommand.Resume.class, ScheduleCommand.RunNow.class, ScheduleCommand.History.class})
public final class ScheduleCommand {

    @Command(name = "add", description = "Add a schedule: the runbook's text is stored now (--replace takes a new version), checked line by line first.")
    static final class Add implements Callable<Integer> {
        private final Context ctx;
        @Parameters(paramLabel = "NAME") String name;
        @Option(names = "--cron", required = true, paramLabel = "EXPR",
                description = "crontab's five fields (\"0 3 * * SUN\"), @daily and the like, or Quartz's six or seven (seconds first).") String cron;
        @Option(names = "--runbook", required = true, paramLabel = "FILE") Path runbook;
        @Option(names = "--var", paramLabel = "NAME=VALUE", description = "A variable for the runbook's ${NAME} (repeatable).") List<String> vars;
        @Option(names = "--timezone", defaultValue = "UTC", paramLabel = "ZONE", description = "The zone the cron is read in (default: ${DEFAULT-VALUE}).") String zone;
        @Option(names = "--missed", defaultValue = "run-once", paramLabel = "POLICY",
                description = "Due times missed while no daemon led: run-once (one late run) or skip (default: ${DEFAULT-VALUE}).") String missed;
        @Option(names = "--replace", description = "Replace a schedule of that name.") boolean replace;
        @Option(names = "--paused", description = "Add it paused.") boolean paused;

        Add(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() {
            Schedule.checkName(name);
            Cron c = Cron.parse(cron, zone);
            Schedule.Missed policy = Schedule.Missed.parse(missed);
            var vs = Runbook.vars(vars);
            String text;
            try {
                text = Files.readString(runbook);
            } catch (IOException e) {
                throw new IllegalArgumentException("--runbook " + runbook + ": cannot read it (" + e.getClass().getSimpleName() + ")");
            }
            List<String> problems = Runbook.parse(runbook.toString(), text, vs).validate(() -> Main.commandLine(ctx));
            if (!problems.isEmpty()) {
                problems.forEach(p -> ctx.err().println("error: " + p));
                ctx.err().println("schedule not added: fix the runbook lines above");
                return ExitCodes.BAD_INPUT;
            }
            try (Catalog catalog = ctx.openCatalog()) {
                new ScheduleStore(catalog).add(new Schedule(name, c, text, runbook.toAbsolutePath().toString(), vs, policy, paused, Instant.now()), replace);
            }
            Instant next = c.next(Instant.now());
            ctx.out().println("schedule " + name + " added: " + c + ", next due " + (next == null ? "never" : next) + (paused ? " (paused)" : "")
                    + "; the leading daemon runs it");
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", description = "Every schedule with its next due time and last run.")
    static final class ListCmd implements Callable<Integer> {
        private final Context ctx;

        ListCmd(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() {
            try (Catalog catalog = ctx.openCatalog()) {
                ScheduleStore store = new ScheduleStore(catalog);
                Table t = new Table("NAME", "CRON", "ZONE", "STATE", "NEXT DUE", "LAST RUN", "OUTCOME");
                for (Schedule s : store.list()) {
                    var last = store.history(s.name(), 1).stream().findFirst();
                    t.row(s.name(), s.cron().text(), s.cron().zone(), s.paused() ? "paused" : "active", s.paused() ? "-" : s.cron().next(Instant.now()),
                            last.map(ScheduleRun::fireTime).orElse(null), last.map(r -> r.outcome().name()).orElse(null));
                }
                t.print(ctx.out(), "");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", description = "One schedule: cron, variables, policy, its runbook and its last runs.")
    static final class Show implements Callable<Integer> {
        private final Context ctx;
        @Parameters(paramLabel = "NAME") String name;

        Show(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() {
            try (Catalog catalog = ctx.openCatalog()) {
                ScheduleStore store = new ScheduleStore(catalog);
                Schedule s = store.require(name);
                ctx.out().println("schedule " + s.name() + (s.paused() ? " (paused)" : ""));
                ctx.out().println("  cron:     " + s.cron() + ", next due " + s.cron().next(Instant.now()));
                ctx.out().println("  missed:   " + s.missed().word());
                ctx.out().println("  vars:     " + (s.vars().isEmpty() ? "-" : s.vars()));
                ctx.out().println("  runbook:  " + s.runbookPath() + " (as stored " + s.createdAt() + ")");
                s.runbookText().lines().forEach(l -> ctx.out().println("    | " + l));
                printRuns(ctx, store.history(name, 10));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "history", description = "Runs of one schedule (or every schedule), newest first: due time, trigger, daemon, outcome, reason.")
    static final class History implements Callable<Integer> {
        private final Context ctx;
        @Parameters(paramLabel = "NAME", arity = "0..1") String name;
        @Option(names = "--limit", defaultValue = "20") int limit;

        History(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() {
            try (Catalog catalog = ctx.openCatalog()) {
                ScheduleStore store = new ScheduleStore(catalog);
                if (name != null) store.require(name);
                printRuns(ctx, store.history(name, limit));
            }
            return ExitCodes.OK;
        }
    }

    private static void printRuns(Context ctx, List<ScheduleRun> runs) {
        Table t = new Table("RUN", "SCHEDULE", "DUE", "TRIGGER", "DAEMON", "OUTCOME", "TOOK", "DETAIL");
        for (ScheduleRun r : runs) {
            t.row(r.id(), r.schedule(), r.fireTime(), r.trigger().name().toLowerCase(java.util.Locale.ROOT), r.owner(), r.outcome(),
                    r.finishedAt() == null ? "running" : String.format("%.1f s", (r.finishedAt().toEpochMilli() - r.startedAt().toEpochMilli()) / 1000.0), r.detail());
        }
        t.print(ctx.out(), "");
    }

    @Command(name = "remove", description = "Remove a schedule (its run history stays).")
    static final class Remove implements Callable<Integer> {
        private final Context ctx;
        @Parameters(paramLabel = "NAME") String name;

        Remove(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() {
            try (Catalog catalog = ctx.openCatalog()) {
                ScheduleStore store = new ScheduleStore(catalog);
                store.require(name);
                store.remove(name);
            }
            ctx.out().println("schedule " + name + " removed");
            return ExitCodes.OK;
        }
    }

    /** pause and resume: the same change, one flag apart. */
    abstract static class Toggle implements Callable<Integer> {
        private final Context ctx;
        private final boolean pause;
        @Parameters(paramLabel = "NAME") String name;

        Toggle(Context ctx, boolean pause) {
            this.ctx = ctx;
            this.pause = pause;
        }

        @Override
        public Integer call() {
            try (Catalog catalog = ctx.openCatalog()) {
                new ScheduleStore(catalog).paused(name, pause);
            }
            ctx.out().println("schedule " + name + (pause ? " paused" : " resumed"));
            return ExitCodes.OK;
        }
    }

    @Command(name = "pause", description = "Stop firing a schedule (a run in progress goes on).")
    static final class Pause extends Toggle {
        Pause(Context ctx) { super(ctx, true); }
    }

    @Command(name = "resume", description = "Fire a paused schedule again (due times missed while paused follow its --missed policy).")
    static final class Resume extends Toggle {
        Resume(Context ctx) { super(ctx, false); }
    }

    @Command(name = "run-now", description = "Run a schedule's runbook here and now (recorded in its history as manual; refused while a run of it is in progress).")
    static final class RunNow implements Callable<Integer> {
        private final Context ctx;
        @Parameters(paramLabel = "NAME") String name;

        RunNow(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() throws Exception {
            try (Catalog catalog = ctx.openCatalog()) {
                ScheduleStore store = new ScheduleStore(catalog);
                Schedule s = store.require(name);
                String owner = "cli@" + java.net.InetAddress.getLocalHost().getHostName() + ":" + ProcessHandle.current().pid();
                try (Scheduler scheduler = new Scheduler(store, owner, () -> true, ScheduledRuns.inline(ctx), (n, o) -> { }, Clock.systemUTC())) {
                    var run = scheduler.runNow(s);
                    if (run.isEmpty()) {
                        ctx.err().println("error: schedule " + name + " has a run in progress; not started");
                        return ExitCodes.FAILED;
                    }
                    while (scheduler.running() > 0) Thread.sleep(50);
                    ScheduleRun r = store.history(name, 20).stream().filter(x -> x.id() == run.get()).findFirst().orElseThrow();
                    ctx.out().println("schedule " + name + ": run " + r.id() + " " + r.outcome() + (r.detail() == null ? "" : " (" + r.detail() + ")"));
                    return r.outcome() == ScheduleRun.Outcome.SUCCEEDED ? ExitCodes.OK : ExitCodes.FAILED;
                }
            }
        }
    }
}
