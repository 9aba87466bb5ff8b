package io.shardkit.shell.commands;

import io.shardkit.catalog.Catalog;
import io.shardkit.failover.recovery.RecoveryStore;
import io.shardkit.merge.CatchUp;
import io.shardkit.merge.JobState;
import io.shardkit.merge.JobStore;
import io.shardkit.merge.MergeStatus;
import io.shardkit.merge.Plan;
import io.shardkit.shell.Context;
import io.shardkit.shell.ExitCodes;
import io.shardkit.topology.Discovery;
import io.shardkit.topology.FleetView;
import io.shardkit.topology.GroupView;
import io.shardkit.topology.Topology;
import io.shardkit.verify.VerifyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Runbook gates: {@code assert CONDITION} checks once, {@code wait CONDITION [--timeout]} until it
 * holds. The conditions are the ones a consolidation waits on: a merge caught up, its last verify
 * clean and fresh, a group healthy, no failover running. A gate that does not hold exits 1 naming
 * why, so a runbook stops at its line.
 */
public final class GateCommands {
    private GateCommands() {}

    @Command(name = "assert", description = "Check a condition once; exit 1 naming why it does not hold.",
            subcommands = {MergeCaughtUp.class, VerifyClean.class, GroupHealthy.class, NoFailoverRunning.class})
    public static final class Assert {}

    @Command(name = "wait", description = "Wait until a condition holds (exit 1 at --timeout, naming why it still does not).",
            subcommands = {MergeCaughtUp.class, VerifyClean.class, GroupHealthy.class, NoFailoverRunning.class})
    public static final class Wait {
        @Option(names = "--timeout", defaultValue = "10m", description = "Give up after this long (default: ${DEFAULT-VALUE}).", scope = picocli.CommandLine.ScopeType.INHERIT)
        String timeout;
        @Option(names = "--every", defaultValue = "2s", description = "Look again this often (default: ${DEFAULT-VALUE}).", scope = picocli.CommandLine.ScopeType.INHERIT)
        String every;
    }

    /** One condition: empty when it holds, else why not. */
    abstract static class Gate implements Callable<Integer> {
        final Context ctx;
        @Spec CommandSpec spec;

        Gate(Context ctx) {
            this.ctx = ctx;
        }

        abstract Optional<String> failing() throws Exception;

        abstract String what();

        @Override
        public Integer call() throws Exception {
            if (spec.parent().userObject() instanceof Wait w) {
                Duration timeout = Durations.parse("--timeout", w.timeout);
                Duration every = Durations.parse("--every", w.every);
                long began = System.nanoTime();
                long deadline = began + timeout.toNanos();
                String[] said = {null};
                // at a terminal, a bar of the time waited against --timeout, with the latest reason; lines stay for changes
                try (var bar = new io.shardkit.shell.render.ProgressLine(ctx.out(), ctx.terminal(), () -> said[0] == null ? null
                        : io.shardkit.shell.render.ProgressLine.bar("wait " + what(), (System.nanoTime() - began) / 1_000_000_000L, timeout.toSeconds(), "s")
                                + " (" + said[0] + ")")) {
                    while (true) {
                        Optional<String> why = failing();
                        if (why.isEmpty()) {
                            bar.close();
                            ctx.out().println("holds: " + what());
                            return ExitCodes.OK;
                        }
                        if (System.nanoTime() > deadline) {
                            bar.close();
                            ctx.err().println("error: waited " + timeout.toSeconds() + " s and still not " + what() + ": " + why.get());
                            return ExitCodes.FAILED;
                        }
                        if (!why.get().equals(said[0])) bar.line("waiting: " + why.get());
                        said[0] = why.get();
                        Thread.sleep(every.toMillis()); // Ctrl-C in the shell, or a schedule losing the lead, interrupts it
                    }
                }
            }
            Optional<String> why = failing();
            if (why.isEmpty()) {
                ctx.out().println("holds: " + what());
                return ExitCodes.OK;
            }
            ctx.err().println("error: assertion failed, not " + what() + ": " + why.get());
            return ExitCodes.FAILED;
        }
    }

    @Command(name = "merge-caught-up", description = {"A live process streams the merge, its copy is done, and a marker written now on every source",
            "has come through its stream (so every write committed before the check is on the target)."})
    static final class MergeCaughtUp extends Gate {
        @Mixin TopologyOptions topo;
        @Parameters(paramLabel = "ID") String id;
        /** The markers of this check (a wait writes them once, then watches them arrive). */
        private Map<String, Long> marks;

        MergeCaughtUp(Context ctx) { super(ctx); }

        @Override
        String what() { return "merge " + id + " caught up"; }

        @Override
        Optional<String> failing() throws Exception {
            Topology t = topo.load(ctx);
            var admin = TopologyOptions.admin(ctx, t);
            try (Catalog c = ctx.openCatalog()) {
                JobStore jobs = new JobStore(c);
                Plan plan = jobs.plan(id);
                JobState state = jobs.state(id);
                if (state != JobState.STREAMING && state != JobState.VERIFYING) return Optional.of("it is " + state);
                if (!jobs.live(id)) return Optional.of("no process streams it (merge resume " + id + " --background)");
                MergeStatus s = MergeStatus.read(plan, jobs, admin);
                for (var p : s.tables()) if (!p.done()) return Optional.of("copy of " + p.table() + " from " + p.source() + " not done (" + p.copied() + " rows)");
                if (marks == null) marks = CatchUp.mark(plan, admin);
                List<String> pending = CatchUp.pending(plan, admin, marks);
                if (pending.isEmpty()) return Optional.empty();
                if (!(spec.parent().userObject() instanceof Wait)) {
                    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos(); // a single check still lets the markers travel
                    while (!pending.isEmpty() && System.nanoTime() < deadline) {
                        Thread.sleep(50);
                        pending = CatchUp.pending(plan, admin, marks);
                    }
                    if (pending.isEmpty()) return Optional.empty();
                }
                return Optional.of("the streams from " + String.join(", ", pending) + " have not yet applied the marker written at the check");
            }
        }
    }

    @Command(name = "verify-clean", description = "The last verify of every table of the merge was clean and finished within --fresher-than.")
    static final class VerifyClean extends Gate {
        @Parameters(paramLabel = "ID") String id;
        @Option(names = "--fresher-than", defaultValue = "60m", description = "(default: ${DEFAULT-VALUE})") String fresher;

        VerifyClean(Context ctx) { super(ctx); }

        @Override
        String what() { return "verify of " + id + " clean within " + fresher; }

        @Override
        Optional<String> failing() {
            Duration age = Durations.parse("--fresher-than", fresher);
            try (Catalog c = ctx.openCatalog()) {
                Plan plan = new JobStore(c).plan(id);
                Map<String, VerifyStore.Run> latest = new VerifyStore(c).latest(plan.id());
                for (Plan.TablePlan tp : plan.tables()) {
                    VerifyStore.Run r = latest.get(tp.table());
                    if (r == null) return Optional.of(tp.table() + " has never been verified");
                    if (!r.clean()) return Optional.of("the last verify of " + tp.table() + " found " + r.diffs() + " differing rows");
                    if (r.finishedAt().isBefore(Instant.now().minus(age))) return Optional.of("the last verify of " + tp.table() + " finished at " + r.finishedAt());
                }
                return Optional.empty();
            }
        }
    }

    @Command(name = "group-healthy", description = "The group has one writable primary and every replica replicates.")
    static final class GroupHealthy extends Gate {
        @Mixin TopologyOptions topo;
        @Parameters(paramLabel = "GROUP") String group;

        GroupHealthy(Context ctx) { super(ctx); }

        @Override
        String what() { return "group " + group + " healthy"; }

        @Override
        Optional<String> failing() {
            Topology t = topo.load(ctx);
            if (!t.groups().containsKey(group)) throw new IllegalArgumentException("no group '" + group + "' in " + t.source());
            FleetView view = new FleetView(t, new Discovery(t, TopologyOptions.admin(ctx, t)).probe(t.group(group).instanceNames()));
            GroupView.Health h = view.group(group).health();
            return h == GroupView.Health.OK ? Optional.empty() : Optional.of("its health is " + h);
        }
    }

    @Command(name = "no-failover-running", description = "No recovery has started without finishing in the last 15 minutes (for --group, or any group).")
    static final class NoFailoverRunning extends Gate {
        @Option(names = "--group", paramLabel = "G") String group;

        NoFailoverRunning(Context ctx) { super(ctx); }

        @Override
        String what() { return "free of running failovers"; }

        @Override
        Optional<String> failing() {
            try (Catalog c = ctx.openCatalog()) {
                Instant recent = Instant.now().minus(Duration.ofMinutes(15)); // a recovery is bounded well within this: older unfinished ones died with their process
                return new RecoveryStore(c).history(group, 20).stream().filter(r -> r.finishedAt() == null && r.startedAt().isAfter(recent))
                        .findFirst().map(r -> "recovery " + r.id() + " of " + r.group() + " started " + r.startedAt() + " and has not finished");
            }
        }
    }
}
