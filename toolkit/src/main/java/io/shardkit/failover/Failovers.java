package io.shardkit.failover;

import io.shardkit.catalog.Catalog;
import io.shardkit.catalog.GroupLocks;
import io.shardkit.failover.analysis.Analysis;
import io.shardkit.failover.analysis.AnalysisCode;
import io.shardkit.failover.analysis.Analyzer;
import io.shardkit.failover.analysis.GroupSnapshot;
import io.shardkit.failover.analysis.Reach;
import io.shardkit.failover.election.Candidate;
import io.shardkit.failover.election.Election;
import io.shardkit.failover.election.ElectionContext;
import io.shardkit.failover.election.Ranking;
import io.shardkit.failover.election.TargetCheck;
import io.shardkit.failover.probe.Collector;
import io.shardkit.failover.recovery.Endpoints;
import io.shardkit.failover.recovery.Recovery;
import io.shardkit.failover.recovery.RecoveryStore;
import io.shardkit.failover.recovery.Servers;
import io.shardkit.failover.recovery.Switchover;
import io.shardkit.failover.recovery.Trigger;
import io.shardkit.mysql.GtidSet;
import io.shardkit.topology.Discovery;
import io.shardkit.topology.FleetView;
import io.shardkit.topology.InstanceState;
import io.shardkit.topology.Topology;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * An operator's failover actions, one at a time: promote a named replica (a manual failover),
 * switch over to a replica while the primary lives, rejoin an old primary as a replica. Each
 * validates first (bad input changes nothing), then runs the same steps and journal as the monitor.
 */
public final class Failovers implements AutoCloseable {
    private final Topology topology;
    private final FailoverSettings settings;
    private final Servers servers;
    private final RecoveryStore store;
    private final GroupLocks locks;
    private final Collector collector;
    private final Consumer<String> progress;

    public Failovers(Topology topology, FailoverSettings settings, Catalog catalog, Servers servers, Consumer<String> progress) {
        this.topology = topology;
        this.settings = settings;
        this.servers = servers;
        this.store = new RecoveryStore(catalog);
        this.locks = new GroupLocks(catalog);
        this.collector = new Collector(topology, settings.admin(), settings.probe(), Clock.systemUTC());
        this.progress = progress;
    }

    private Topology.Group group(String name) {
        return group(topology, name);
    }

    /** The named group, or bad input naming the file and the groups it has. */
    public static Topology.Group group(Topology t, String name) {
        Topology.Group g = t.groups().get(name);
        if (g == null) throw new IllegalArgumentException("no group '" + name + "' in " + t.source() + " (groups: " + String.join(", ", t.groups().keySet()) + ")");
        return g;
    }

    /** The named member of the group, or bad input naming the group's members. */
    public static String member(Topology t, Topology.Group g, String instance) {
        if (!g.instanceNames().contains(instance)) {
            throw new IllegalArgumentException("no instance '" + instance + "' in group " + g.name() + " (members: " + String.join(", ", g.instanceNames()) + ")");
        }
        return instance;
    }

    /** A group whose primary can move must have a way for clients to follow it. */
    public static void requireEndpoint(Topology t, Topology.Group g) {
        Topology.Failover f = g.failover();
        if (g.writerIp() == null && f.mhaScript() == null && f.jsonHook() == null && f.crossZoneHook() == null) {
            throw new IllegalArgumentException(t.source() + ": group " + g.name() + " has no writer endpoint (a 'writer' IP, an 'mha-script' or a 'json-hook'):"
                    + " after a failover no client could find its new primary");
        }
    }

    /** Where the group's primary is: the member its replicas follow or that takes writes (a dead one included, as last known). */
    private String primaryOf(String group) {
        FleetView view = new FleetView(topology, new Discovery(topology, settings.admin()).probe(group(group).instanceNames()));
        return view.group(group).primary().orElseThrow(() -> new IllegalStateException("group " + group + " has no primary, dead or alive, that its members agree on"));
    }

    private Topology.Durability durability(String group, GroupSnapshot s) {
        String version = s.primaryProbe().version() != null ? s.primaryProbe().version()
                : s.replicas().stream().filter(r -> r.version() != null).map(io.shardkit.failover.analysis.ReplicaView::version).findFirst().orElse(null);
        var family = version == null ? io.shardkit.mysql.FlavorFamily.MYSQL : io.shardkit.mysql.Flavors.forVersion(version).family();
        return Recovery.effective(group(group), family);
    }

    private ElectionContext context(String group, GroupSnapshot s, boolean force) {
        ElectionContext ctx = ElectionContext.of(group, s.primary().instance(), s.primary().zone()).withZonePolicy(group(group).failover().zonePolicy())
                .withMaxLag(settings.maxLag());
        return force ? ctx.forced() : ctx;
    }

    private Recovery recovery(Topology.Durability d) {
        return new Recovery(topology, servers, new Endpoints(topology, settings.admin().user()), store, locks, Recovery.Settings.DEFAULT, g -> d, progress);
    }

    /**
     * Promotes {@code to} (a manual failover): refused, changing nothing, when it is no replica of
     * the group, must never be primary, lags past the limit or holds errant transactions, unless
     * {@code force} lifts what may be lifted. The old primary is fenced when it answers.
     */
    public Recovery.Result promote(String groupName, String to, boolean force) {
        requireEndpoint(topology, group(groupName));
        if (!topology.instances().containsKey(to)) throw new IllegalArgumentException("--to " + to + ": no such instance in " + topology.source());
        String primary = primaryOf(groupName);
        GroupSnapshot s = collector.collect(groupName, primary);
        GtidSet primaryGtid = s.primaryProbe().reach() == Reach.ANSWERED ? s.primaryProbe().executed() : null;
        Map<String, GtidSet> errant = Errant.of(s, primaryGtid);
        List<Candidate> candidates = s.replicas().stream().map(r -> Candidate.of(r, errant.get(r.instance()))).toList();
        TargetCheck check = Election.checkTarget(to, candidates, context(groupName, s, force));
        if (!check.allowed()) throw new IllegalArgumentException(check.message());
        Analysis a = new Analyzer(settings.analysis()).analyze(s);
        Analysis manual = new Analysis(groupName, a.code(), Instant.now(), List.of("manual promotion of " + to + " by the operator; the analysis was " + a.code(),
                check.message()));
        String id = groupName + "-" + Instant.now().toEpochMilli();
        Candidate target = candidates.stream().filter(c -> c.instance().equals(to)).findFirst().orElseThrow();
        Recovery.Elector operatorsChoice = cs -> new Ranking(groupName, Optional.of(target), to + " (the operator's choice)", cs, Map.of(), Optional.empty(),
                List.of(), List.of(check.message()));
        return recovery(durability(groupName, s)).failover(id, id, Trigger.MANUAL, manual, s, errant, operatorsChoice);
    }

    /** A planned switchover to {@code to} (or the election's choice), refused when the predicted write block exceeds {@code maxBlock}. */
    public Switchover.Result switchover(String groupName, String to, Duration maxBlock) throws Exception {
        requireEndpoint(topology, group(groupName));
        if (to != null && !topology.instances().containsKey(to)) throw new IllegalArgumentException("--to " + to + ": no such instance in " + topology.source());
        GroupSnapshot s = collector.collect(groupName, primaryOf(groupName));
        Map<String, GtidSet> errant = Errant.of(s, s.primaryProbe().executed());
        boolean semi = durability(groupName, s) == Topology.Durability.SEMI_SYNC;
        Switchover sw = new Switchover(topology, servers, new Endpoints(topology, settings.admin().user()), store, locks, semi, progress);
        return sw.run(groupName + "-" + Instant.now().toEpochMilli(), s, to, maxBlock, context(groupName, s, false), errant);
    }

    /**
     * Makes an old primary a replica of its group's current primary, refusing (changing nothing)
     * when it holds transactions the current primary lacks: those would be errant on every replica
     * and are for an operator to inspect, keep elsewhere or discard (rebuild the instance).
     */
    public String rejoin(String instance) throws Exception {
        if (!topology.instances().containsKey(instance)) throw new IllegalArgumentException("no instance '" + instance + "' in " + topology.source());
        String groupName = topology.groups().values().stream().filter(g -> g.instanceNames().contains(instance)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(instance + " is in no group")).name();
        FleetView view = new FleetView(topology, new Discovery(topology, settings.admin()).probe(group(groupName).instanceNames()));
        InstanceState me = view.state(instance);
        if (!me.reachable()) throw new IllegalStateException(instance + " does not answer: start it first (it comes back read-only)");
        String primary = group(groupName).instanceNames().stream().filter(m -> !m.equals(instance)).map(view::state)
                .filter(st -> st.reachable() && st.writable() && st.replica() == null).map(InstanceState::instance).findFirst()
                .orElseThrow(() -> new IllegalStateException("group " + groupName + " has no writable primary besides " + instance + " to rejoin"));
        GtidSet errant = me.gtidExecuted().subtract(view.state(primary).gtidExecuted());
        if (!errant.isEmpty()) {
            throw new IllegalStateException("rejoin refused: " + instance + " holds transactions " + primary + " does not have (" + errant.format()
                    + "): written on it after it lost the primary role; inspect them, then rebuild " + instance + " from " + primary);
        }
        if (me.flavor().family() == io.shardkit.mysql.FlavorFamily.MARIADB) {
            // MariaDB positions cannot show a demoted primary's last commits below the new primary's sequence: compare binlog states
            List<String> diverged = io.shardkit.mysql.MariaDbGtidSet.divergent(servers.binlogState(instance), servers.binlogState(primary));
            if (!diverged.isEmpty()) {
                throw new IllegalStateException("rejoin refused: " + instance + " holds transactions " + primary + " does not have (" + String.join(", ", diverged)
                        + "): written on it after it lost the primary role; inspect them, then rebuild " + instance + " from " + primary);
            }
        }
        servers.fence(instance);
        servers.repoint(instance, primary);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        String why = "";
        while (System.nanoTime() < deadline) {
            InstanceState now = new Discovery(topology, settings.admin()).probe(instance);
            if (now.replica() != null && now.replica().healthy()) {
                return instance + " rejoined " + groupName + " as a replica of " + primary + " (read-only; both replication threads running)";
            }
            if (now.replica() != null) why = String.join("; ", java.util.stream.Stream.of(now.replica().lastIoError(), now.replica().lastSqlError())
                    .filter(e -> e != null && !e.isBlank()).toList());
            Thread.sleep(100);
        }
        throw new IllegalStateException(instance + " was pointed at " + primary + " but its replication did not start within 15 s" + (why.isEmpty() ? "" : ": " + why));
    }

    @Override
    public void close() {
        collector.close();
    }

    /** For tests: the code an analysis of the group gives now. */
    public AnalysisCode analyze(String group) {
        return new Analyzer(settings.analysis()).analyze(collector.collect(group, primaryOf(group))).code();
    }
}
