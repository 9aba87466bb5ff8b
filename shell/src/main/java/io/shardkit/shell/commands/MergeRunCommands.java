package io.shardkit.shell.commands;

import io.shardkit.catalog.Catalog;
import io.shardkit.merge.JobState;
import io.shardkit.merge.JobStore;
import io.shardkit.merge.MergeControl;
import io.shardkit.merge.MergeJob;
import io.shardkit.merge.Plan;
import io.shardkit.shell.Context;
import io.shardkit.shell.ExitCodes;
import io.shardkit.topology.Topology;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** merge start / resume / pause / abort: thin wrappers over {@link MergeJob} and {@link JobStore}. */
final class MergeRunCommands {
    private MergeRunCommands() {}

    /**
     * {@code merge start|resume ID --background}: the same command in a process of its own (log
     * {@code <home>/logs/merge-ID.log}), returned from once it streams (its heartbeat is in the
     * catalog). A runbook goes on to its gates and cutover while it streams; a cutover ends it.
     */
    static int background(Context ctx, TopologyOptions topo, String id, Integer chunkSize, EnumSet<JobState> allowed, String verb) throws Exception {
        Topology t = topo.load(ctx); // bad input is refused here, before any process starts
        try (Catalog catalog = ctx.openCatalog()) {
            JobStore jobs = new JobStore(catalog);
            jobs.plan(id);
            JobState state = jobs.state(id);
            if (!allowed.contains(state)) throw new IllegalArgumentException("merge " + id + " is " + state + ": cannot " + verb + " it");
            if (state != JobState.PLANNED && jobs.runningElsewhere(id)) throw new IllegalArgumentException("merge " + id + " is being run by another process right now");
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("merge", verb, id, "--topology", topo.path(ctx).toAbsolutePath().toString()));
            if (chunkSize != null) args.addAll(java.util.List.of("--chunk-size", chunkSize.toString()));
            java.nio.file.Path log = ctx.home().resolve("logs").resolve("merge-" + id + ".log");
            long pid = io.shardkit.shell.Background.start(ctx, args, log, () -> {
                JobState s = jobs.state(id);
                return s == JobState.STREAMING && jobs.runningElsewhere(id) || s.terminal() || s == JobState.CONFLICT;
            }, java.time.Duration.ofHours(24)); // the copy of a large shard takes hours; Ctrl-C stops the wait, not the merge
            JobState s = jobs.state(id);
            ctx.out().println("merge " + id + ": " + s + " in the background (pid " + pid + ", log " + log + ")");
            return s == JobState.STREAMING ? ExitCodes.OK : ExitCodes.FAILED;
        }
    }

    static int drive(Context ctx, TopologyOptions topo, String id, boolean untilCaughtUp, Integer chunkSize, EnumSet<JobState> allowed, String verb) throws Exception {
        Topology t = topo.load(ctx);
        try (Catalog catalog = ctx.openCatalog()) {
            JobStore jobs = new JobStore(catalog);
            Plan plan = jobs.plan(id);
            JobState state = jobs.state(id);
            if (!allowed.contains(state)) throw new IllegalArgumentException("merge " + id + " is " + state + ": cannot " + verb + " it");
            if (state != JobState.PLANNED && jobs.runningElsewhere(id)) {
                if (state == JobState.PAUSED) {
                    jobs.move(id, JobState.STREAMING, "resumed by operator");
                    ctx.out().println("merge " + id + " resumed (it runs in another process)");
                    return ExitCodes.OK;
                }
                throw new IllegalArgumentException("merge " + id + " is being run by another process right now");
            }
            MergeControl control = new MergeControl();
            JobStore.Settings settings = jobs.settings(id);
            int chunk = chunkSize != null ? chunkSize : settings != null ? settings.chunkSize() : control.chunkSize();
            jobs.saveSettings(id, settings != null ? settings.maxLagMillis() : control.limits().maxLagMillis(),
                    settings != null ? settings.maxThreadsRunning() : control.limits().maxThreadsRunning(), chunk);
            control.chunkSize(chunk);
            haltAtStage(control, System.getenv("SHARDKIT_HALT_AT"));
            var streamRef = t.credentials().stream();
            var admin = TopologyOptions.admin(ctx, t);
            var shape = new io.shardkit.shell.render.MergeProgress();
            try (var progress = new io.shardkit.shell.render.ProgressLine(ctx.out(), ctx.terminal(),
                    () -> shape.line(io.shardkit.merge.MergeStatus.read(plan, jobs, admin)));
                 MergeJob job = new MergeJob(plan, t, admin, streamRef == null ? null : ctx.resolve(streamRef), jobs, ctx.home(), control, progress::line)) {
                Thread hook = new Thread(control::requestStop);
                Runtime.getRuntime().addShutdownHook(hook);
                try {
                    job.run(untilCaughtUp ? MergeJob.Until.CAUGHT_UP : MergeJob.Until.STOPPED);
                } finally {
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException ignored) {
                        // already shutting down
                    }
                }
            }
            ctx.out().println("merge " + id + ": " + jobs.state(id) + (untilCaughtUp ? " (caught up; run 'merge resume " + id + "' to keep streaming)" : ""));
        }
        return ExitCodes.OK;
    }

    /**
     * Fault injection for the kill -9 tests: SHARDKIT_HALT_AT=stage:n halts the JVM (no shutdown
     * hooks, like kill -9) the n-th time the named stage is reached.
     */
    static void haltAtStage(MergeControl control, String spec) {
        if (spec == null || spec.isBlank()) return;
        String[] f = spec.split(":");
        String stage = f[0];
        int n = f.length > 1 ? Integer.parseInt(f[1]) : 1;
        java.util.concurrent.atomic.AtomicInteger hits = new java.util.concurrent.atomic.AtomicInteger();
        control.onStage(s -> {
            if (s.equals(stage) && hits.incrementAndGet() >= n) Runtime.getRuntime().halt(137);
        });
    }

    @Command(name = "start", description = "Create the target tables, start the binlog streams, copy, then keep streaming (Ctrl-C stops; resume continues).")
    static final class Start implements Callable<Integer> {
        private final Context ctx;
        @Mixin TopologyOptions topo;
        @Parameters(paramLabel = "ID") String id;
        @Option(names = "--until-caught-up", description = "Return once copied and caught up with every source.") boolean untilCaughtUp;
        @Option(names = "--chunk-size", description = "Rows per copy chunk (default 1000).") Integer chunkSize;
        @Option(names = "--background", description = "Run in a process of its own; return once the copy is done and it streams (log: <home>/logs/merge-ID.log).")
        boolean background;

        Start(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() throws Exception {
            if (background) return background(ctx, topo, id, chunkSize, EnumSet.of(JobState.PLANNED), "start");
            return drive(ctx, topo, id, untilCaughtUp, chunkSize, EnumSet.of(JobState.PLANNED), "start");
        }
    }

    @Command(name = "resume", description = "Continue a paused, stopped, failed or killed merge from its checkpoints.")
    static final class Resume implements Callable<Integer> {
        private final Context ctx;
        @Mixin TopologyOptions topo;
        @Parameters(paramLabel = "ID") String id;
        @Option(names = "--until-caught-up", description = "Return once copied and caught up with every source.") boolean untilCaughtUp;
        @Option(names = "--chunk-size", description = "Rows per copy chunk (default 1000).") Integer chunkSize;
        @Option(names = "--background", description = "Run in a process of its own; return once it streams (log: <home>/logs/merge-ID.log).") boolean background;

        Resume(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() throws Exception {
            if (background) {
                return background(ctx, topo, id, chunkSize, EnumSet.of(JobState.PLANNED, JobState.COPYING, JobState.STREAMING, JobState.PAUSED, JobState.FAILED, JobState.CONFLICT),
                        "resume");
            }
            return drive(ctx, topo, id, untilCaughtUp, chunkSize,
                    // PLANNED too: a start killed before its first transition left checkpoints to resume from
                    EnumSet.of(JobState.PLANNED, JobState.COPYING, JobState.STREAMING, JobState.PAUSED, JobState.FAILED, JobState.CONFLICT), "resume");
        }
    }

    @Command(name = "throttle", description = "Change a merge's throttle limits and chunk size; a running merge applies them within a second.")
    static final class ThrottleCmd implements Callable<Integer> {
        private final Context ctx;
        @Parameters(paramLabel = "ID") String id;
        @Option(names = "--max-lag", description = "Largest target replica lag before the copy waits, e.g. 1s or 500ms.") String maxLag;
        @Option(names = "--max-threads-running", description = "Largest Threads_running on any involved primary.") Integer maxThreads;
        @Option(names = "--chunk-size", description = "Rows per copy chunk.") Integer chunkSize;

        ThrottleCmd(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() {
            try (Catalog catalog = ctx.openCatalog()) {
                JobStore jobs = new JobStore(catalog);
                jobs.plan(id);
                JobStore.Settings now = jobs.settings(id);
                long lag = maxLag != null ? Durations.parse("--max-lag", maxLag).toMillis() : now != null ? now.maxLagMillis() : io.shardkit.merge.Throttle.Limits.DEFAULT.maxLagMillis();
                int threads = maxThreads != null ? maxThreads : now != null ? now.maxThreadsRunning() : io.shardkit.merge.Throttle.Limits.DEFAULT.maxThreadsRunning();
                int chunk = chunkSize != null ? chunkSize : now != null ? now.chunkSize() : 1000;
                if (chunk < 1 || chunk > 100_000) throw new IllegalArgumentException("--chunk-size must be 1..100000");
                if (threads < 1) throw new IllegalArgumentException("--max-threads-running must be at least 1");
                jobs.saveSettings(id, lag, threads, chunk);
                ctx.out().println("merge " + id + ": max lag " + lag + " ms, max threads running " + threads + ", chunk " + chunk);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "pause", description = "Pause a running merge (copy and apply stop; the binlog position is kept).")
    static final class Pause implements Callable<Integer> {
        private final Context ctx;
        @Parameters(paramLabel = "ID") String id;

        Pause(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() {
            try (Catalog catalog = ctx.openCatalog()) {
                JobStore jobs = new JobStore(catalog);
                jobs.plan(id);
                jobs.move(id, JobState.PAUSED, "paused by operator");
                ctx.out().println("merge " + id + " paused");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "abort", description = "Abort a merge for good (the target tables stay for inspection).")
    static final class Abort implements Callable<Integer> {
        private final Context ctx;
        @Parameters(paramLabel = "ID") String id;

        Abort(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() {
            try (Catalog catalog = ctx.openCatalog()) {
                JobStore jobs = new JobStore(catalog);
                jobs.plan(id);
                jobs.move(id, JobState.ABORTED, "aborted by operator");
                ctx.out().println("merge " + id + " aborted");
            }
            return ExitCodes.OK;
        }
    }
}
