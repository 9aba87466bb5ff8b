package io.shardkit.shell.commands;

import io.shardkit.catalog.Catalog;
import io.shardkit.cutover.Cutover;
import io.shardkit.cutover.Timeline;
import io.shardkit.endpoint.EndpointHook;
import io.shardkit.merge.JobStore;
import io.shardkit.mysql.CredentialRef;
import io.shardkit.shell.Context;
import io.shardkit.shell.ExitCodes;
import io.shardkit.shell.render.Table;
import io.shardkit.topology.Topology;
import io.shardkit.verify.Verifier;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "cutover", description = "Freeze the sources, prove the target has everything, verify what changed, switch routing. Refuses before freezing when the predicted freeze exceeds the budget.")
final class MergeCutoverCommand implements Callable<Integer> {
    private final Context ctx;
    @Mixin TopologyOptions topo;
    @Parameters(paramLabel = "ID") String id;
    @Option(names = "--max-freeze", defaultValue = "2s", description = "Write-freeze budget (default ${DEFAULT-VALUE}).") String maxFreeze;
    @Option(names = "--max-verify-age", defaultValue = "60m", description = "How old the last clean verify may be (default ${DEFAULT-VALUE}).") String maxVerifyAge;
    @Option(names = "--max-lag", defaultValue = "1s", description = "Largest stream round trip allowed before freezing (default ${DEFAULT-VALUE}).") String maxLag;
    @Option(names = "--sessions", defaultValue = "kill", description = "kill (default) or wait for application sessions on the frozen sources.") String sessions;
    @Option(names = "--hook", description = "Routing command; receives the switch as JSON on stdin and must exit 0 (e.g. \"/usr/local/bin/route-shards --apply\").") String hook;
    @Option(names = "--hook-timeout", defaultValue = "10s", description = "How long the hook may run (default ${DEFAULT-VALUE}).") String hookTimeout;
    @Option(names = "--move-writer-ips", description = "At the switch, move each source group's writer IP to the target primary's host (the target must already listen on them).") boolean moveWriterIps;
    @Option(names = "--dry-run", description = "Run every pre-check and print the predicted freeze; freeze nothing.") boolean dryRun;

    MergeCutoverCommand(Context ctx) { this.ctx = ctx; }

    @Override
    public Integer call() throws Exception {
        io.shardkit.cutover.FreezeSteps.Sessions mode = sessions(sessions);
        EndpointHook endpointHook = hook == null ? null : new EndpointHook(Arrays.asList(hook.trim().split("\\s+")), duration("--hook-timeout", hookTimeout));
        Cutover.Settings settings = new Cutover.Settings(duration("--max-freeze", maxFreeze), duration("--max-verify-age", maxVerifyAge),
                duration("--max-lag", maxLag), mode, endpointHook, dryRun, Verifier.Settings.DEFAULT, moveWriterIps);
        Topology t = topo.load(ctx);
        PrintWriter out = ctx.out();
        try (Catalog catalog = ctx.openCatalog()) {
            var plan = new JobStore(catalog).plan(id);
            Cutover c = new Cutover(plan, t, TopologyOptions.admin(ctx, t), ownUsers(ctx, t), catalog, settings, line -> { out.println(line); out.flush(); });
            Cutover.Result r = c.run();
            printTimeline(out, r.timeline());
            switch (r.outcome()) {
                case DONE -> out.println("cutover " + id + ": done; writes were blocked for " + r.freezeMillis() + " ms (predicted " + r.predictedFreezeMillis() + " ms); sources stay read-only");
                case DRY_RUN -> out.println("cutover " + id + ": dry run, nothing frozen; " + r.reason());
                case REFUSED -> out.println("cutover " + id + ": refused, nothing changed: " + r.reason());
                case ABORTED -> out.println("cutover " + id + ": aborted after " + r.freezeMillis() + " ms of freeze; sources writable again, merge streaming: " + r.reason());
            }
            out.flush();
            return switch (r.outcome()) {
                case DONE, DRY_RUN -> ExitCodes.OK;
                case REFUSED -> ExitCodes.FINDINGS;
                case ABORTED -> ExitCodes.FAILED;
            };
        }
    }

    /** shardkit's own users: the freeze never counts or kills their sessions. */
    static Set<String> ownUsers(Context ctx, Topology t) {
        Set<String> own = new LinkedHashSet<>();
        own.add(TopologyOptions.admin(ctx, t).user());
        for (CredentialRef r : new CredentialRef[] {t.credentials().replication(), t.credentials().stream()}) if (r != null) own.add(ctx.resolve(r).user());
        return own;
    }

    static void printTimeline(PrintWriter out, java.util.List<Timeline.Step> steps) {
        Table table = new Table("AT", "STEP", "TOOK", "DETAIL");
        for (Timeline.Step s : steps) table.row("+" + s.startMillis() + " ms", s.name(), s.millis() + " ms", s.detail());
        table.print(out, "  ");
    }

    static io.shardkit.cutover.FreezeSteps.Sessions sessions(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "kill" -> io.shardkit.cutover.FreezeSteps.Sessions.KILL;
            case "wait" -> io.shardkit.cutover.FreezeSteps.Sessions.WAIT;
            default -> throw new IllegalArgumentException("--sessions must be kill or wait, not '" + s + "'");
        };
    }

    private static Duration duration(String option, String s) {
        return Durations.parse(option, s);
    }
}
