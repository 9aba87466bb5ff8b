package io.shardkit.shell.commands;

import io.shardkit.catalog.Catalog;
import io.shardkit.cutover.MergeVerify;
import io.shardkit.merge.JobState;
import io.shardkit.merge.JobStore;
import io.shardkit.merge.Plan;
import io.shardkit.shell.Context;
import io.shardkit.shell.ExitCodes;
import io.shardkit.shell.render.Json;
import io.shardkit.shell.render.Table;
import io.shardkit.topology.Topology;
import io.shardkit.verify.Repair;
import io.shardkit.verify.RowDiff;
import io.shardkit.verify.TableResult;
import io.shardkit.verify.Verifier;
import java.io.PrintWriter;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "verify", description = "Compare every source with the target by chunk checksums, online; list every differing row; --repair re-copies them.")
final class MergeVerifyCommand implements Callable<Integer> {
    private final Context ctx;
    @Mixin TopologyOptions topo;
    @Parameters(paramLabel = "ID") String id;
    @Option(names = "--tables", split = ",", description = "Only these planned tables.") List<String> tables;
    @Option(names = "--full", description = "Every chunk, even when a clean run allows re-checking only the rows written since.") boolean full;
    @Option(names = "--repair", description = "Re-copy each differing row from the source that owns it (then verify again).") boolean repair;
    @Option(names = "--print-sql", description = "Show the repair statements without running them.") boolean printSql;
    @Option(names = "--chunk-size", description = "Rows per checksum chunk, fixed. Without it chunks start at 10000 rows and are resized toward --chunk-time.") Integer chunkSize;
    @Option(names = "--chunk-time", defaultValue = "0.25s", description = "Target time of one chunk on the target when --chunk-size is not given (default ${DEFAULT-VALUE}).") String chunkTime;
    @Option(names = "--parallel", defaultValue = "4", description = "Chunks checked at once (default ${DEFAULT-VALUE}).") int parallel;
    @Option(names = "--json", description = "Print the results as JSON.") boolean json;

    MergeVerifyCommand(Context ctx) { this.ctx = ctx; }

    @Override
    public Integer call() throws Exception {
        if (chunkSize != null && (chunkSize < 10 || chunkSize > 1_000_000)) throw new IllegalArgumentException("--chunk-size must be 10..1000000");
        java.time.Duration perChunk = Durations.parse("--chunk-time", chunkTime);
        if (perChunk.isZero() || perChunk.compareTo(java.time.Duration.ofMinutes(1)) > 0) throw new IllegalArgumentException("--chunk-time must be above 0 and at most 60s");
        if (parallel < 1 || parallel > 64) throw new IllegalArgumentException("--parallel must be 1..64");
        if (repair && printSql) throw new IllegalArgumentException("choose --repair or --print-sql, not both");
        Topology t = topo.load(ctx);
        PrintWriter out = ctx.out();
        try (Catalog catalog = ctx.openCatalog()) {
            JobStore jobs = new JobStore(catalog);
            Plan plan = jobs.plan(id);
            JobState state = jobs.state(id);
            if (!EnumSet.of(JobState.STREAMING, JobState.PAUSED, JobState.FAILED, JobState.CONFLICT, JobState.DONE, JobState.ROLLING_BACK, JobState.ROLLED_BACK).contains(state)
                    || !jobs.copyFinished(id)) {
                throw new IllegalArgumentException("merge " + id + " is " + state + (jobs.copyFinished(id) ? "" : " and has not finished its copy") + ": nothing to verify yet");
            }
            MergeVerify[] verifying = new MergeVerify[1];
            try (var bar = new io.shardkit.shell.render.ProgressLine(out, ctx.terminal(), () -> verifying[0] == null ? null
                    : io.shardkit.shell.render.ProgressLine.bar("verify " + id, verifying[0].rowsChecked(), Math.max(verifying[0].rowsPlanned(), verifying[0].rowsChecked()), "rows"));
                 MergeVerify v = new MergeVerify(plan, t, TopologyOptions.admin(ctx, t), catalog, parallel + 1, bar::line)) {
                verifying[0] = v;
                MergeVerify.Report report = v.run(tables, full, chunkSize != null ? new Verifier.Settings(chunkSize, parallel, 3)
                        : new Verifier.Settings(Verifier.Settings.DEFAULT.chunkSize(), parallel, 3, perChunk));
                List<Repair.Outcome> repairs = repair || printSql ? v.repair(report, repair) : List.of();
                bar.close(); // the report prints below, with no bar redrawn over it
                if (json) {
                    Json.print(out, java.util.Map.of("job", id, "clean", report.clean(), "tables", report.tables(), "repairs", repairs));
                } else {
                    print(out, report, repairs);
                }
                if (report.clean()) return ExitCodes.OK;
                if (repair && repairs.stream().allMatch(r -> r.unrepairable().isEmpty())) return ExitCodes.OK;
                return ExitCodes.FINDINGS;
            }
        }
    }

    private void print(PrintWriter out, MergeVerify.Report report, List<Repair.Outcome> repairs) {
        Table table = new Table("TABLE", "MODE", "CHUNKS", "ROWS", "MISMATCHED CHUNKS", "MISSING", "EXTRA", "DIFFERENT", "TIME", "ROWS/S", "RESULT");
        for (TableResult r : report.tables()) {
            table.row(r.table(), r.mode(), r.chunks(), r.rows(), r.mismatchedChunks(), count(r, RowDiff.Kind.MISSING), count(r, RowDiff.Kind.EXTRA),
                    count(r, RowDiff.Kind.DIFFERENT) + count(r, RowDiff.Kind.DUPLICATE), String.format("%.1f s", r.millis() / 1000.0),
                    r.millis() > 0 ? String.format("%.0f", r.rows() * 1000.0 / r.millis()) : "-",
                    (r.clean() ? (r.settled() ? "clean" : "clean (stream not running: unsettled)") : "DIFFERS")
                            + (r.inFlight() > 0 ? "; " + r.inFlight() + " rows still changing, re-checked by the next pass" : ""));
        }
        table.print(out, "");
        for (TableResult r : report.tables()) {
            for (RowDiff d : r.diffs()) out.println("  " + d.kind().name().toLowerCase(java.util.Locale.ROOT) + " " + r.table() + " " + d.keyText() + (d.source() == null ? "" : " (source " + d.source() + ")"));
        }
        for (Repair.Outcome o : repairs) {
            if (printSql) o.statements().forEach(out::println);
            else out.println("repaired: " + o.upserted() + " rows re-copied, " + o.deleted() + " extra rows deleted" + (o.unrepairable().isEmpty() ? "" : ", " + o.unrepairable().size() + " rows held by two sources left alone"));
        }
        if (!repairs.isEmpty() && repair) out.println("run 'merge verify " + id + "' again to confirm");
        out.println(report.clean() ? "verify " + id + ": clean" : "verify " + id + ": differences found");
        out.flush();
    }

    private static long count(TableResult r, RowDiff.Kind k) {
        return r.diffs().stream().filter(d -> d.kind() == k).count();
    }
}
