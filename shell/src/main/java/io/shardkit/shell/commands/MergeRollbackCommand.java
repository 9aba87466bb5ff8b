package io.shardkit.shell.commands;

import io.shardkit.catalog.Catalog;
import io.shardkit.endpoint.EndpointHook;
import io.shardkit.merge.JobState;
import io.shardkit.merge.JobStore;
import io.shardkit.merge.MergeControl;
import io.shardkit.merge.Plan;
import io.shardkit.rollback.ReverseJob;
import io.shardkit.rollback.SwitchBack;
import io.shardkit.shell.Context;
import io.shardkit.shell.ExitCodes;
import io.shardkit.topology.Topology;
import io.shardkit.verify.Verifier;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "rollback", description = {
        "After a cutover: stream the target's writes back to the sources, each row to the source that owns its key (runs until stopped; run again to resume).",
        "With --switch (from another shell, while the stream runs): freeze the target, prove and verify, switch routing back to the sources."})
final class MergeRollbackCommand implements Callable<Integer> {
    private final Context ctx;
    @Mixin TopologyOptions topo;
    @Parameters(paramLabel = "ID") String id;
    @Option(names = "--new-rows-to", description = "Source group that takes rows created on the target after the cutover when the key strategy cannot place them (reject).") String newRowsTo;
    @Option(names = "--window", defaultValue = "24h", description = "How long after the cutover a rollback may start (default ${DEFAULT-VALUE}).") String window;
    @Option(names = "--until-caught-up", description = "Return once the sources have everything the target committed.") boolean untilCaughtUp;
    @Option(names = "--switch", description = "Switch back now: freeze the target, drain, verify, route to the sources.") boolean switchBack;
    @Option(names = "--max-freeze", defaultValue = "2s", description = "Write-freeze budget of the switch back (default ${DEFAULT-VALUE}).") String maxFreeze;
    @Option(names = "--max-lag", defaultValue = "1s", description = "Largest rollback-stream round trip allowed before freezing (default ${DEFAULT-VALUE}).") String maxLag;
    @Option(names = "--sessions", defaultValue = "kill", description = "kill (default) or wait for application sessions on the frozen target.") String sessions;
    @Option(names = "--hook", description = "Routing command; receives the switch back as JSON on stdin and must exit 0.") String hook;
    @Option(names = "--move-writer-ips", description = "With --switch: move each source group's writer IP back from the target's host to its primary's.") boolean moveWriterIps;
    @Option(names = "--hook-timeout", defaultValue = "10s", description = "How long the hook may run (default ${DEFAULT-VALUE}).") String hookTimeout;

    MergeRollbackCommand(Context ctx) { this.ctx = ctx; }

    @Override
    public Integer call() throws Exception {
        Topology t = topo.load(ctx);
        PrintWriter out = ctx.out();
        try (Catalog catalog = ctx.openCatalog()) {
            JobStore jobs = new JobStore(catalog);
            Plan plan = jobs.plan(id);
            return switchBack ? switchBack(t, catalog, plan, out) : stream(t, catalog, jobs, plan, out);
        }
    }

    private int stream(Topology t, Catalog catalog, JobStore jobs, Plan plan, PrintWriter out) throws Exception {
        if (jobs.state(id) == JobState.ROLLING_BACK && jobs.runningElsewhere(id)) throw new IllegalArgumentException("the rollback stream of " + id + " already runs in another process");
        MergeControl control = new MergeControl();
        var streamRef = t.credentials().stream();
        ReverseJob.Settings settings = new ReverseJob.Settings(Durations.parse("--window", window), newRowsTo);
        try (ReverseJob job = new ReverseJob(plan, t, TopologyOptions.admin(ctx, t), streamRef == null ? null : ctx.resolve(streamRef), catalog, ctx.home(), settings, control,
                line -> { out.println(line); out.flush(); })) {
            Thread hook = new Thread(control::requestStop);
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                job.run(untilCaughtUp ? ReverseJob.Until.CAUGHT_UP : ReverseJob.Until.STOPPED);
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException ignored) {
                    // already shutting down
                }
            }
        }
        out.println("merge " + id + ": " + jobs.state(id));
        return ExitCodes.OK;
    }

    private int switchBack(Topology t, Catalog catalog, Plan plan, PrintWriter out) throws Exception {
        EndpointHook endpointHook = hook == null ? null : new EndpointHook(Arrays.asList(hook.trim().split("\\s+")), Durations.parse("--hook-timeout", hookTimeout));
        SwitchBack.Settings settings = new SwitchBack.Settings(Durations.parse("--max-freeze", maxFreeze), Durations.parse("--max-lag", maxLag),
                MergeCutoverCommand.sessions(sessions), endpointHook, Verifier.Settings.DEFAULT, moveWriterIps);
        try (SwitchBack s = new SwitchBack(plan, t, TopologyOptions.admin(ctx, t), MergeCutoverCommand.ownUsers(ctx, t), catalog, settings, line -> { out.println(line); out.flush(); })) {
            SwitchBack.Result r = s.run();
            MergeCutoverCommand.printTimeline(out, r.timeline());
            switch (r.outcome()) {
                case DONE -> out.println("rollback " + id + ": switched back; writes were blocked for " + r.freezeMillis() + " ms (predicted " + r.predictedFreezeMillis()
                        + " ms), " + r.rowsVerified() + " rows written on the target verified on their sources; the target stays read-only");
                case REFUSED -> out.println("rollback " + id + ": refused, nothing changed: " + r.reason());
                case ABORTED -> out.println("rollback " + id + ": aborted after " + r.freezeMillis() + " ms of freeze; the target is writable again, the rollback stream runs on: " + r.reason());
            }
            out.flush();
            return switch (r.outcome()) {
                case DONE -> ExitCodes.OK;
                case REFUSED -> ExitCodes.FINDINGS;
                case ABORTED -> ExitCodes.FAILED;
            };
        }
    }
}
