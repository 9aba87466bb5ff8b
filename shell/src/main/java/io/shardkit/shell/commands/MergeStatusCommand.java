package io.shardkit.shell.commands;

import io.shardkit.catalog.Catalog;
import io.shardkit.merge.JobStore;
import io.shardkit.merge.MergeStatus;
import io.shardkit.merge.Plan;
import io.shardkit.shell.Context;
import io.shardkit.shell.ExitCodes;
import io.shardkit.shell.render.Json;
import io.shardkit.shell.render.Table;
import io.shardkit.topology.Topology;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "status", description = "State, copy progress per source and table, stream progress per source.")
final class MergeStatusCommand implements Callable<Integer> {
    private final Context ctx;
    @Mixin TopologyOptions topo;
    @Parameters(paramLabel = "ID") String id;
    @Option(names = "--json") boolean json;
    @Option(names = "--watch", description = "Refresh every N seconds until interrupted.", paramLabel = "N") Integer watch;

    MergeStatusCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws Exception {
        Topology t = topo.load(ctx);
        try (Catalog catalog = ctx.openCatalog()) {
            JobStore jobs = new JobStore(catalog);
            Plan plan = jobs.plan(id);
            do {
                MergeStatus s = MergeStatus.read(plan, jobs, TopologyOptions.admin(ctx, t));
                // at a terminal a --watch view redraws in place; written to a file or pipe, each refresh follows the last
                if (watch != null && ctx.interactive()) ctx.out().print("\033[H\033[2J");
                if (json) Json.print(ctx.out(), s);
                else {
                    print(s);
                    printVerifyAndCutover(catalog);
                }
                if (watch != null) Thread.sleep(watch * 1000L);
            } while (watch != null);
        }
        return ExitCodes.OK;
    }

    private void print(MergeStatus s) {
        ctx.out().println("merge " + s.id() + ": " + s.state() + (s.reason() == null ? "" : " (" + s.reason() + ")"));
        var st0 = s.settings();
        ctx.out().println("  throttle: " + (st0 == null || st0.throttleReason() == null ? "not throttled" : "THROTTLED: " + st0.throttleReason())
                + (st0 == null ? "" : "  (max lag " + st0.maxLagMillis() + " ms, max threads running " + st0.maxThreadsRunning() + ", chunk " + st0.chunkSize() + ")"));
        Table copy = new Table("SOURCE", "TABLE", "COPIED", "PLANNED", "DONE");
        s.tables().forEach(p -> copy.row(p.source(), p.table(), p.copied(), p.planned(), p.done() ? "yes" : "no"));
        copy.print(ctx.out(), "  ");
        Table st = new Table("SOURCE", "EVENTS APPLIED", "LAST GTID", "LAST APPLY", "TRX BEHIND");
        s.streams().forEach(p -> st.row(p.source(), p.events(), p.lastGtid(), p.sinceLastApply() == null ? "-" : p.sinceLastApply().toMillis() / 1000.0 + " s ago",
                p.transactionsBehind() < 0 ? "?" : p.transactionsBehind()));
        st.print(ctx.out(), "  ");
    }

    /** The latest verify per table and the latest cutover attempt, from the catalog. */
    private void printVerifyAndCutover(Catalog catalog) {
        var runs = new io.shardkit.verify.VerifyStore(catalog).latest(id);
        if (runs.isEmpty()) {
            ctx.out().println("  verify: never run");
        } else {
            Table v = new Table("TABLE", "LAST VERIFY", "MODE", "ROWS", "DIFFERING", "RESULT");
            runs.values().forEach(r -> v.row(r.table(), ago(r.finishedAt()), r.mode(), r.rows(), r.diffs(), r.clean() ? "clean" : r.diffs() > 0 ? "DIFFERS" : "unsettled"));
            v.print(ctx.out(), "  ");
        }
        for (String direction : new String[] {"forward", "rollback"}) {
            String last = catalog.query("SELECT outcome, freeze_ms, reason, finished_at FROM cutovers WHERE job_id = ? AND COALESCE(direction, 'forward') = ?"
                    + " ORDER BY cutover_id DESC LIMIT 1",
                    rs -> rs.next() ? rs.getString(1) + (rs.getObject(2) == null ? "" : ", writes blocked " + rs.getLong(2) + " ms")
                            + (rs.getString(3) == null ? "" : ": " + rs.getString(3)) + (rs.getTimestamp(4) == null ? "" : " (" + ago(rs.getTimestamp(4).toInstant()) + ")") : null, id, direction);
            if (direction.equals("forward")) ctx.out().println("  cutover: " + (last == null ? "not attempted" : last));
            else if (last != null) ctx.out().println("  switch back: " + last);
        }
        ctx.out().flush();
    }

    private static String ago(java.time.Instant at) {
        if (at == null) return "-";
        long s = java.time.Duration.between(at, java.time.Instant.now()).toSeconds();
        return s < 120 ? s + " s ago" : s < 7200 ? s / 60 + " min ago" : s / 3600 + " h ago";
    }
}
