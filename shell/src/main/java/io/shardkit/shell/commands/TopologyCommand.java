package io.shardkit.shell.commands;

import io.shardkit.shell.Context;
import io.shardkit.shell.ExitCodes;
import io.shardkit.shell.render.FleetRender;
import io.shardkit.shell.render.Json;
import io.shardkit.shell.render.Table;
import io.shardkit.topology.Discovery;
import io.shardkit.topology.FleetView;
import io.shardkit.topology.Lint;
import io.shardkit.topology.Topology;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "topology", description = "The fleet as configured and as it is live.",
        subcommands = {TopologyCommand.Show.class, TopologyCommand.Check.class})
public final class TopologyCommand {

    @Command(name = "show", description = "Live state of every group: primary, replicas, lag, GTID.")
    static final class Show implements Callable<Integer> {
        private final Context ctx;
        @Mixin TopologyOptions topo;
        @Option(names = "--json", description = "Machine-readable output.") boolean json;
        @Option(names = "--group", description = "Only this group.") String group;

        Show(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() {
            Topology t = topo.load(ctx);
            if (group != null) t.group(group);
            FleetView view = new Discovery(t, TopologyOptions.admin(ctx, t)).probeAll();
            if (json) Json.print(ctx.out(), FleetRender.asJson(view, group));
            else FleetRender.print(ctx.out(), view, group);
            return ExitCodes.OK;
        }
    }

    @Command(name = "check", description = "Lint placement and server settings; readiness per group.")
    static final class Check implements Callable<Integer> {
        private final Context ctx;
        @Mixin TopologyOptions topo;

        Check(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() {
            Topology t = topo.load(ctx);
            FleetView view = new Discovery(t, TopologyOptions.admin(ctx, t)).probeAll();
            Lint.Report report = Lint.check(view);
            if (report.findings().isEmpty()) ctx.out().println("no findings");
            else {
                Table table = new Table("SEVERITY", "CODE", "SUBJECT", "FINDING");
                report.findings().forEach(f -> table.row(f.severity(), f.code(), f.subject(), f.message()));
                table.print(ctx.out(), "");
            }
            ctx.out().println();
            Table r = new Table("GROUP", "READINESS");
            report.readiness().forEach(x -> r.row(x.group(), x.describe()));
            r.print(ctx.out(), "");
            return report.hasErrors() ? ExitCodes.FINDINGS : ExitCodes.OK;
        }
    }
}
