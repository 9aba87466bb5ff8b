package io.shardkit.shell.commands;

import io.shardkit.catalog.Catalog;
import io.shardkit.failover.FailoverSettings;
import io.shardkit.failover.Failovers;
import io.shardkit.failover.Monitor;
import io.shardkit.failover.probe.ProbeSettings;
import io.shardkit.failover.recovery.Recovery;
import io.shardkit.failover.recovery.RecoveryStore;
import io.shardkit.failover.recovery.Servers;
import io.shardkit.shell.Context;
import io.shardkit.shell.ExitCodes;
import io.shardkit.shell.render.Json;
import io.shardkit.shell.render.Table;
import io.shardkit.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "failover", description = "MHA-style failover: monitor, history, ack, promote, switchover, rejoin.",
        subcommands = {FailoverCommand.MonitorCmd.class, FailoverCommand.HistoryCmd.class, FailoverCommand.AckCmd.class, FailoverActions.Promote.class,
                FailoverActions.Switch.class, FailoverActions.Rejoin.class})
public final class FailoverCommand {

    /** The toolkit pieces every failover command needs, built from the topology and the caller's credentials. */
    static Servers servers(Context ctx, Topology t) {
        var repl = t.credentials().replication();
        if (repl == null) throw new IllegalArgumentException(t.source() + ": failover needs 'replication' credentials (replicas are repointed with them)");
        return new Servers(t, TopologyOptions.admin(ctx, t), ctx.resolve(repl));
    }

    static List<String> groups(Topology t, List<String> named) {
        if (named == null || named.isEmpty()) return List.copyOf(t.groups().keySet());
        for (String g : named) if (!t.groups().containsKey(g)) throw new IllegalArgumentException("--group " + g + ": no such group in " + t.source());
        return named;
    }

    @Command(name = "monitor", description = "Watch groups and fail them over when their primary is confirmed dead (foreground; Ctrl-C stops).")
    static final class MonitorCmd implements Callable<Integer> {
        private final Context ctx;
        @Mixin TopologyOptions topo;
        @Option(names = "--group", paramLabel = "G", description = "Watch only these groups (repeatable; default: every group).") List<String> groups;
        @Option(names = "--interval", defaultValue = "500ms", description = "Probe interval (default: ${DEFAULT-VALUE}).") String interval;
        @Option(names = "--max-lag", defaultValue = "60s", description = "A replica lagging more is not elected (default: ${DEFAULT-VALUE}).") String maxLag;
        @Option(names = "--once", description = "One round: print each group's analysis and act on it, then exit.") boolean once;

        MonitorCmd(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() throws Exception {
            Topology t = topo.load(ctx);
            List<String> gs = groups(t, groups);
            ProbeSettings p = ProbeSettings.DEFAULT;
            Duration every = Durations.parse("--interval", interval);
            Duration lag = Durations.parse("--max-lag", maxLag);
            if (every.isZero() || every.isNegative()) throw new IllegalArgumentException("--interval " + interval + " must be positive");
            for (String g : gs) Failovers.requireEndpoint(t, t.group(g));
            FailoverSettings settings = FailoverSettings.defaults(TopologyOptions.admin(ctx, t));
            settings = new FailoverSettings(settings.admin(), new ProbeSettings(every, p.connect(), p.answer(), p.hostExec()), settings.analysis(), settings.antiFlap(), lag);
            try (Catalog catalog = ctx.openCatalog();
                 Monitor m = new Monitor(t, settings, catalog, servers(ctx, t), Recovery.Settings.DEFAULT, line -> {
                     ctx.out().println(line);
                     ctx.out().flush();
                 })) {
                m.start(gs);
                if (once) {
                    m.round();
                    return ExitCodes.OK;
                }
                AtomicBoolean stop = new AtomicBoolean();
                Thread hook = new Thread(() -> stop.set(true));
                Runtime.getRuntime().addShutdownHook(hook);
                try {
                    m.run(() -> stop.get() || Thread.currentThread().isInterrupted());
                } finally {
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException shuttingDown) {
                        // the hook already ran
                    }
                }
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "history", description = "Recoveries from the catalog: evidence, election, each step with its duration, outcome.")
    static final class HistoryCmd implements Callable<Integer> {
        private final Context ctx;
        @Option(names = "--group", description = "Only this group.") String group;
        @Option(names = "--limit", defaultValue = "20", description = "How many (default: ${DEFAULT-VALUE}).") int limit;
        @Option(names = "--json", description = "Every field, steps included, as JSON.") boolean json;

        HistoryCmd(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() {
            if (limit < 1 || limit > 10_000) throw new IllegalArgumentException("--limit " + limit + " is not between 1 and 10000");
            try (Catalog catalog = ctx.openCatalog()) {
                RecoveryStore store = new RecoveryStore(catalog);
                List<RecoveryStore.Row> rows = store.history(group, limit);
                if (json) {
                    List<Map<String, Object>> out = new ArrayList<>();
                    for (RecoveryStore.Row r : rows) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("id", r.id());
                        m.put("event", r.eventId());
                        m.put("group", r.group());
                        m.put("trigger", r.trigger().name().toLowerCase(java.util.Locale.ROOT));
                        m.put("analysis", r.code());
                        m.put("old_primary", r.oldPrimary());
                        m.put("new_primary", r.newPrimary());
                        m.put("started_at", String.valueOf(r.startedAt()));
                        m.put("finished_at", String.valueOf(r.finishedAt()));
                        m.put("outcome", r.outcome());
                        m.put("reason", r.reason());
                        m.put("acknowledged_at", r.acknowledgedAt() == null ? null : r.acknowledgedAt().toString());
                        m.put("evidence", Json.parse(r.evidenceJson()));
                        m.put("ranking", Json.parse(r.rankingJson()));
                        List<Map<String, Object>> steps = new ArrayList<>();
                        for (Catalog.JournalEntry e : store.steps(r.id())) {
                            Map<String, Object> s = new LinkedHashMap<>();
                            s.put("step", e.stepName());
                            s.put("outcome", e.outcome());
                            s.put("detail", Json.parse(e.evidenceJson()));
                            steps.add(s);
                        }
                        m.put("steps", steps);
                        out.add(m);
                    }
                    Json.print(ctx.out(), out);
                    return ExitCodes.OK;
                }
                if (rows.isEmpty()) {
                    ctx.out().println("no recoveries" + (group == null ? "" : " of " + group));
                    return ExitCodes.OK;
                }
                Table table = new Table("ID", "GROUP", "TRIGGER", "ANALYSIS", "OLD", "NEW", "STARTED", "TOOK", "OUTCOME", "ACK");
                for (RecoveryStore.Row r : rows) {
                    String took = r.finishedAt() == null ? "-" : Duration.between(r.startedAt(), r.finishedAt()).toMillis() + " ms";
                    table.row(r.id(), r.group(), r.trigger().name().toLowerCase(java.util.Locale.ROOT), r.code(), r.oldPrimary(), r.newPrimary(), r.startedAt(), took,
                            r.outcome() + (r.reason() == null ? "" : ": " + r.reason()), r.acknowledgedAt() == null ? "no" : "yes");
                }
                table.print(ctx.out(), "");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "ack", description = "Acknowledge a group's recoveries: its next automatic failover may run within the anti-flap window.")
    static final class AckCmd implements Callable<Integer> {
        private final Context ctx;
        @Mixin TopologyOptions topo;
        @Parameters(paramLabel = "GROUP") String group;

        AckCmd(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() {
            Failovers.group(topo.load(ctx), group);
            try (Catalog catalog = ctx.openCatalog()) {
                int n = new RecoveryStore(catalog).acknowledge(group, System.getProperty("user.name", "operator"));
                ctx.out().println(n == 0 ? "nothing to acknowledge for " + group : "acknowledged " + n + " recover" + (n == 1 ? "y" : "ies") + " of " + group);
            }
            return ExitCodes.OK;
        }
    }
}
