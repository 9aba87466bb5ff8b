package io.shardkit.shell.commands;

import io.shardkit.catalog.Catalog;
import io.shardkit.merge.KeyStrategy;
import io.shardkit.merge.MergeRequest;
import io.shardkit.merge.Plan;
import io.shardkit.merge.PlanException;
import io.shardkit.merge.PlanJson;
import io.shardkit.merge.Planner;
import io.shardkit.shell.Context;
import io.shardkit.shell.ExitCodes;
import io.shardkit.shell.render.PlanRender;
import io.shardkit.topology.Topology;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "merge", description = "Online shard merges: plan, start, status, pause, resume, abort, throttle, verify, cutover.",
        subcommands = {MergeCommand.PlanCmd.class, MergeRunCommands.Start.class, MergeStatusCommand.class, MergeRunCommands.Pause.class,
                MergeRunCommands.Resume.class, MergeRunCommands.Abort.class, MergeRunCommands.ThrottleCmd.class, MergeVerifyCommand.class, MergeCutoverCommand.class,
                MergeRollbackCommand.class})
public final class MergeCommand {

    @Command(name = "plan", description = "Preflight, schema diff, exact key-collision scan and estimate; stores the plan. Changes nothing on any server.")
    static final class PlanCmd implements Callable<Integer> {
        private final Context ctx;
        @Mixin TopologyOptions topo;
        @Option(names = "--from", split = ",", required = true, paramLabel = "G1,G2,...", description = "Source groups.") List<String> from;
        @Option(names = "--into", required = true, paramLabel = "GT", description = "Target group.") String into;
        @Option(names = "--database", required = true, description = "Database to merge.") String database;
        @Option(names = "--tables", split = ",", description = "Only these tables (default: all base tables).") List<String> tables;
        @Option(names = "--keys", defaultValue = "reject", description = "reject (default), offset or shard-column.") String keys;
        @Option(names = "--offset-columns", split = ",", paramLabel = "TABLE.COLUMN", description = "Columns referencing an offset key (moved with it).") List<String> offsetColumns;
        @Option(names = "--shard-column", defaultValue = "_shard", description = "Column added by --keys shard-column (default: ${DEFAULT-VALUE}).") String shardColumn;
        @Option(names = "--id", description = "Plan id (default: generated).") String id;
        @Option(names = "--json", description = "Print the plan as JSON.") boolean json;

        PlanCmd(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() {
            KeyStrategy strategy;
            try {
                strategy = KeyStrategy.parse(keys);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--keys must be reject, offset or shard-column, not '" + keys + "'");
            }
            Topology t = topo.load(ctx);
            String planId = id != null ? id : "merge-" + java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now());
            MergeRequest req = new MergeRequest(planId, from, into, database, tables, strategy, offsetColumns, shardColumn);
            var streamRef = t.credentials().stream();
            Planner planner = new Planner(t, TopologyOptions.admin(ctx, t), streamRef == null ? null : ctx.resolve(streamRef), Clock.systemUTC());
            try (Catalog catalog = ctx.openCatalog()) {
                if (catalog.planJson(planId) != null) throw new IllegalArgumentException("a plan with id '" + planId + "' already exists (choose another --id)");
                Plan plan;
                try {
                    plan = planner.plan(req);
                } catch (PlanException e) {
                    if (e.partial() != null && !json) PlanRender.print(ctx.out(), e.partial());
                    ctx.err().println("error: merge plan refused (" + e.problems().size() + " problem" + (e.problems().size() == 1 ? "" : "s") + "); nothing was changed:");
                    e.problems().forEach(p -> ctx.err().println("  " + p));
                    return ExitCodes.BAD_INPUT;
                }
                catalog.savePlan(plan.id(), System.getProperty("user.name"), String.join(",", from), into, PlanJson.write(plan));
                if (json) ctx.out().println(PlanJson.write(plan));
                else {
                    PlanRender.print(ctx.out(), plan);
                    ctx.out().println("plan " + plan.id() + " stored in the catalog (" + catalog.description() + ")");
                }
            }
            return ExitCodes.OK;
        }
    }
}
