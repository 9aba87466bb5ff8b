package io.shardkit.shell.commands;

import io.shardkit.catalog.Catalog;
import io.shardkit.failover.FailoverSettings;
import io.shardkit.failover.Failovers;
import io.shardkit.failover.recovery.Recovery;
import io.shardkit.failover.recovery.Switchover;
import io.shardkit.shell.Context;
import io.shardkit.shell.ExitCodes;
import io.shardkit.topology.Topology;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** failover promote / switchover / rejoin: an operator's actions, validated before anything changes. */
final class FailoverActions {
    private FailoverActions() {}

    static Failovers failovers(Context ctx, Topology t, Catalog catalog) {
        return new Failovers(t, FailoverSettings.defaults(TopologyOptions.admin(ctx, t)), catalog, FailoverCommand.servers(ctx, t), line -> {
            ctx.out().println(line);
            ctx.out().flush();
        });
    }

    @Command(name = "promote", description = "Fail a group over to a named replica now (the old primary is fenced if it answers). Refused for a must-not,"
            + " lagging or errant replica unless --force.")
    static final class Promote implements Callable<Integer> {
        private final Context ctx;
        @Mixin TopologyOptions topo;
        @Parameters(paramLabel = "GROUP") String group;
        @Option(names = "--to", required = true, paramLabel = "INSTANCE", description = "The replica to promote.") String to;
        @Option(names = "--force", description = "Promote past what may be forced (lag, errant transactions, must-not).") boolean force;

        Promote(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() {
            Topology t = topo.load(ctx);
            Topology.Group g = Failovers.group(t, group);
            Failovers.member(t, g, to);
            Failovers.requireEndpoint(t, g);
            try (Catalog catalog = ctx.openCatalog(); Failovers f = failovers(ctx, t, catalog)) {
                Recovery.Result r = f.promote(group, to, force);
                ctx.out().println("promote " + group + ": " + r.outcome().name().toLowerCase(java.util.Locale.ROOT) + (r.newPrimary() == null ? "" : ", primary " + r.newPrimary())
                        + (r.reason() == null ? "" : ": " + r.reason()) + " (" + r.took().toMillis() + " ms; recovery " + r.id() + ")");
                return r.outcome() == Recovery.Outcome.DONE ? ExitCodes.OK : ExitCodes.FAILED;
            }
        }
    }

    @Command(name = "switchover", description = "Planned change of primary: predict the write block, freeze, wait for the candidate, promote, move the endpoint,"
            + " repoint, demote the old primary to a replica. Prints the timeline and the measured write block.")
    static final class Switch implements Callable<Integer> {
        private final Context ctx;
        @Mixin TopologyOptions topo;
        @Parameters(paramLabel = "GROUP") String group;
        @Option(names = "--to", paramLabel = "INSTANCE", description = "The replica to promote (default: the election's choice).") String to;
        @Option(names = "--max-block", defaultValue = "500ms", description = "Refuse when the predicted write block is longer (default: ${DEFAULT-VALUE}).") String maxBlock;

        Switch(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() throws Exception {
            Duration max = Durations.parse("--max-block", maxBlock);
            if (max.isNegative() || max.isZero()) throw new IllegalArgumentException("--max-block " + maxBlock + " must be positive");
            Topology t = topo.load(ctx);
            Topology.Group g = Failovers.group(t, group);
            if (to != null) Failovers.member(t, g, to);
            Failovers.requireEndpoint(t, g);
            try (Catalog catalog = ctx.openCatalog(); Failovers f = failovers(ctx, t, catalog)) {
                Switchover.Result r = f.switchover(group, to, max);
                for (var s : r.steps()) ctx.out().printf("  %-9s %6d ms  %s%n", s.name(), s.millis(), String.join("; ", s.evidence()));
                ctx.out().printf("switchover %s: %s -> %s; writes blocked for %d ms (predicted %d ms)%n", group, r.oldPrimary(), r.newPrimary(),
                        r.writeBlock().toMillis(), r.predictedBlock().toMillis());
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "rejoin", description = "Make an old primary a replica of its group's current primary; refused when it holds errant transactions.")
    static final class Rejoin implements Callable<Integer> {
        private final Context ctx;
        @Mixin TopologyOptions topo;
        @Parameters(paramLabel = "INSTANCE") String instance;

        Rejoin(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() throws Exception {
            Topology t = topo.load(ctx);
            if (!t.instances().containsKey(instance)) throw new IllegalArgumentException("no instance '" + instance + "' in " + t.source());
            try (Catalog catalog = ctx.openCatalog(); Failovers f = failovers(ctx, t, catalog)) {
                ctx.out().println(f.rejoin(instance));
                return ExitCodes.OK;
            }
        }
    }
}
