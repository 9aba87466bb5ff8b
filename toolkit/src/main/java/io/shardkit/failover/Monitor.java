package io.shardkit.failover;

import io.shardkit.catalog.Catalog;
import io.shardkit.catalog.GroupLocks;
import io.shardkit.failover.analysis.Action;
import io.shardkit.failover.analysis.Analysis;
import io.shardkit.failover.analysis.AnalysisCode;
import io.shardkit.failover.analysis.Analyzer;
import io.shardkit.failover.analysis.GroupSnapshot;
import io.shardkit.failover.analysis.HostAnalyzer;
import io.shardkit.failover.analysis.HostEvent;
import io.shardkit.failover.analysis.Reach;
import io.shardkit.failover.analysis.ReplicaView;
import io.shardkit.failover.election.Candidate;
import io.shardkit.failover.election.Election;
import io.shardkit.failover.election.ElectionContext;
import io.shardkit.failover.election.Ranking;
import io.shardkit.failover.probe.Collector;
import io.shardkit.failover.recovery.AntiFlap;
import io.shardkit.failover.recovery.Recovery;
import io.shardkit.failover.recovery.RecoveryStore;
import io.shardkit.failover.recovery.Servers;
import io.shardkit.failover.recovery.Trigger;
import io.shardkit.mysql.GtidSet;
import io.shardkit.topology.Discovery;
import io.shardkit.topology.FleetView;
import io.shardkit.topology.Topology;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The failover monitor: every interval, one snapshot per group (all groups at once), the pure
 * analysis, and the action its code calls for. Groups whose primaries share a host and fail in the
 * same round are one event: one election pass spreads their new primaries over the surviving
 * hosts, then they recover in parallel. Unattended actions are FAILOVER (anti-flap permitting) and
 * FENCE_ONLY (an extra writable member: a fenced old primary that came back, a rival primary).
 */
public final class Monitor implements AutoCloseable {
    private final Topology topology;
    private final FailoverSettings settings;
    private final Collector collector;
    private final Analyzer analyzer;
    private final HostAnalyzer hostAnalyzer;
    private final RecoveryStore store;
    private final GroupLocks locks;
    private final Servers servers;
    private final Recovery recovery;
    private final Consumer<String> progress;
    private final Clock clock = Clock.systemUTC();
    /** Each group's primary as the monitor knows it (discovered at start, moved by its own recoveries). */
    private final Map<String, String> primaries = new ConcurrentHashMap<>();
    /** Each group's primary's executed GTIDs when it last answered: what a replica may not have beyond. */
    private final Map<String, GtidSet> lastPrimaryGtid = new ConcurrentHashMap<>();
    private final Map<String, Topology.Durability> durability = new ConcurrentHashMap<>();
    /** Each replica's apply lag when its primary last answered: what the election's lag limit judges once the primary is dead. */
    private final Map<String, java.time.Duration> lastLag = new ConcurrentHashMap<>();
    /** Each member's binary log basename, read while it answered: what a salvage reads once it is dead. */
    private final Map<String, String> binlogs = new ConcurrentHashMap<>();
    /** Groups with a recovery in flight: not analysed meanwhile. */
    private final Map<String, Future<?>> recovering = new ConcurrentHashMap<>();
    /** The last analysis code said per group, so a lasting condition is said once. */
    private final Map<String, AnalysisCode> said = new ConcurrentHashMap<>();
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "failover-monitor");
        t.setDaemon(true);
        return t;
    });
    private final List<Incident> incidents = java.util.Collections.synchronizedList(new ArrayList<>());
    /**
     * Per group, the old primary of its last recovery: its host may still hold the writer IP (it could
     * not be reached then) and gets it taken off as soon as it answers again.
     */
    private final Map<String, String> staleIps = new ConcurrentHashMap<>();
    private volatile Future<?> cleaning;
    private final io.shardkit.failover.recovery.Endpoints endpoints;
    /** When each group's primary was first seen failing in the current run of failed rounds (System.nanoTime). */
    private final Map<String, Long> suspectedAt = new ConcurrentHashMap<>();

    /**
     * One recovery the monitor ran, with its clock: when the primary was first seen failing, when
     * the failure was confirmed (the round that decided), when the recovery ended (System.nanoTime).
     */
    public record Incident(String group, long suspectedNanos, long confirmedNanos, long endedNanos, Recovery.Result result, AnalysisCode code) {
        public long detectMillis() { return (confirmedNanos - suspectedNanos) / 1_000_000; }

        public long recoverMillis() { return (endedNanos - confirmedNanos) / 1_000_000; }
    }

    public Monitor(Topology topology, FailoverSettings settings, Catalog catalog, Servers servers, Recovery.Settings recoverySettings, Consumer<String> progress) {
        this.topology = topology;
        this.settings = settings;
        this.collector = new Collector(topology, settings.admin(), settings.probe(), Clock.systemUTC());
        this.analyzer = new Analyzer(settings.analysis());
        this.hostAnalyzer = new HostAnalyzer(analyzer);
        this.store = new RecoveryStore(catalog);
        this.locks = new GroupLocks(catalog);
        this.servers = servers;
        this.progress = progress;
        this.endpoints = new io.shardkit.failover.recovery.Endpoints(topology, settings.admin().user());
        this.recovery = new Recovery(topology, servers, endpoints, store, locks,
                recoverySettings, durability::get, progress);
        this.recovery.binlogs(binlogs::get);
    }

    public Recovery recovery() {
        return recovery;
    }

    /** Discovers each group's primary and durability; enforces semi-sync without fallback where the group asks for it. */
    public void start(List<String> groups) {
        for (String g : groups) Failovers.requireEndpoint(topology, topology.group(g));
        FleetView view = new FleetView(topology, new Discovery(topology, settings.admin()).probe(groups.stream().flatMap(g -> topology.group(g).instanceNames().stream()).toList()));
        for (String g : groups) {
            String p = view.group(g).primary().orElseThrow(() -> new IllegalStateException("group " + g + " has no primary to watch"));
            for (String m : topology.group(g).instanceNames()) {
                if (!view.state(m).reachable()) continue;
                try {
                    String b = servers.binlogBasename(m);
                    if (b != null) binlogs.put(m, b);
                } catch (java.sql.SQLException e) {
                    progress.accept(g + ": could not read where " + m + " writes its binary log (no salvage for it): " + e.getMessage());
                }
            }
            primaries.put(g, p);
            var family = view.state(p).reachable() ? view.state(p).flavor().family() : topology.group(g).instanceNames().stream().map(view::state)
                    .filter(s -> s != null && s.reachable()).findFirst().map(s -> s.flavor().family()).orElse(io.shardkit.mysql.FlavorFamily.MYSQL);
            Topology.Durability d = Recovery.effective(topology.group(g), family);
            durability.put(g, d);
            if (d == Topology.Durability.SEMI_SYNC && view.state(p).writable()) {
                if (topology.group(g).members().size() < 2) {
                    progress.accept(g + ": semi-sync durability but no replica: left as it is (it could never commit)");
                } else {
                    try {
                        servers.execute(p, view.state(p).flavor().semiSyncSource());
                        progress.accept(g + ": watching primary " + p + "; semi-sync without fallback to acknowledging alone");
                        if (topology.group(g).members().size() < 3) {
                            progress.accept(g + ": only one replica: after a failover its new primary has none left and, semi-sync, takes no write until one attaches");
                        }
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException("group " + g + " asks for semi-sync durability but its primary " + p + " refuses it: " + e.getMessage(), e);
                    }
                }
            } else {
                progress.accept(g + ": watching primary " + p + " (" + d.word() + ")");
            }
        }
    }

    /** Runs rounds until {@code stop} says so. */
    public void run(BooleanSupplier stop) throws InterruptedException {
        while (!stop.getAsBoolean()) {
            long t0 = System.nanoTime();
            round();
            long sleep = settings.probe().interval().toMillis() - (System.nanoTime() - t0) / 1_000_000;
            if (sleep > 0) Thread.sleep(sleep);
        }
    }

    private final java.util.concurrent.atomic.AtomicLong rounds = new java.util.concurrent.atomic.AtomicLong();

    private volatile Map<String, GroupSnapshot> lastSnapshots = Map.of();
    private volatile Map<String, Analysis> lastAnalyses = Map.of();

    /**
     * The last round's snapshot of each group that could be collected, and for a group being
     * recovered the last one taken before (what the daemon's metrics show).
     */
    public Map<String, GroupSnapshot> lastSnapshots() {
        return lastSnapshots;
    }

    /** How long the last probe of each instance took (the manager's view of its latency). */
    public Map<String, java.time.Duration> probeTimes() {
        return collector.probeTimes();
    }

    /** The last round's analysis of each group. */
    public Map<String, Analysis> lastAnalyses() {
        return lastAnalyses;
    }

    /** Rounds completed so far (tests wait on it: "nothing happened for N rounds"). */
    public long rounds() {
        return rounds.get();
    }

    /** One round over every watched group. */
    public void round() {
        try {
            roundOnce();
        } finally {
            rounds.incrementAndGet();
        }
    }

    private void roundOnce() {
        Map<String, Future<GroupSnapshot>> snaps = new LinkedHashMap<>();
        for (String g : primaries.keySet()) {
            Future<?> inFlight = recovering.get(g);
            if (inFlight != null && !inFlight.isDone()) continue;
            recovering.remove(g);
            snaps.put(g, workers.submit(() -> collector.collect(g, primaries.get(g))));
        }
        Map<String, GroupSnapshot> snapshots = new LinkedHashMap<>();
        Map<String, Analysis> analyses = new LinkedHashMap<>();
        snaps.forEach((g, f) -> {
            try {
                GroupSnapshot s = f.get();
                var held = locks.holder(g);
                // a cutover that is not yet switching does not defer a failover: the recovery takes the lock from it (bounded wait)
                boolean preemptable = held != null && held.holder().startsWith("cutover:") && !held.purpose().equals(GroupLocks.SWITCHING);
                if (held != null && !preemptable) s = s.lockedBy(held.holder() + " (" + held.purpose() + ")");
                if (s.primaryProbe().reach() == Reach.ANSWERED && s.primaryProbe().executed() != null) lastPrimaryGtid.put(g, s.primaryProbe().executed());
                if (s.primaryProbe().reach() == Reach.ANSWERED) {
                    for (ReplicaView r : s.replicas()) if (r.lag() != null) lastLag.put(r.instance(), r.lag());
                } else {
                    s = s.withKnownLags(lastLag);
                }
                // stored after the known lags are in: the recovery elects from this snapshot (MariaDB reports no lag once the IO thread lost its source)
                snapshots.put(g, s);
                if (s.primaryProbe().reach() == Reach.ANSWERED && !s.primaryProbe().readOnly()) suspectedAt.remove(g);
                else suspectedAt.putIfAbsent(g, System.nanoTime());
                analyses.put(g, analyzer.analyze(s));
            } catch (Exception e) {
                progress.accept(g + ": collection failed: " + e.getMessage());
            }
        });
        // a group being recovered is not collected this round: it keeps the view that led to its recovery, so
        // the daemon's per-instance metrics do not vanish in the middle of an incident
        Map<String, GroupSnapshot> shown = new LinkedHashMap<>();
        Map<String, GroupSnapshot> before = lastSnapshots;
        for (String g : primaries.keySet()) {
            GroupSnapshot s = snapshots.containsKey(g) ? snapshots.get(g) : recovering.containsKey(g) ? before.get(g) : null;
            if (s != null) shown.put(g, s);
        }
        lastSnapshots = Map.copyOf(shown);
        lastAnalyses = Map.copyOf(analyses);
        analyses.values().forEach(this::say);
        for (Analysis a : analyses.values()) {
            if (a.code() == AnalysisCode.InconsistentTopology || a.code() == AnalysisCode.PrimaryReadOnly) adopt(a.group());
        }
        for (Analysis a : analyses.values()) {
            if (a.action() == Action.FENCE_ONLY && a.automatic()) fenceExtra(snapshots.get(a.group()));
        }
        // failovers, one event per host of failed primaries
        Map<String, List<Analysis>> byHost = new LinkedHashMap<>();
        for (Analysis a : analyses.values()) {
            if (a.action() == Action.FAILOVER && a.automatic()) byHost.computeIfAbsent(snapshots.get(a.group()).primary().host(), h -> new ArrayList<>()).add(a);
        }
        byHost.forEach((host, failed) -> event(host, failed, snapshots));
        if (!staleIps.isEmpty() && (cleaning == null || cleaning.isDone())) cleaning = workers.submit(this::dropStaleIps);
    }

    /** Takes writer IPs off old primaries' hosts that answer again; a host that still does not answer is tried next round. */
    private void dropStaleIps() {
        staleIps.forEach((g, old) -> {
            try {
                String done = endpoints.dropStale(g, old, primaries.get(g));
                staleIps.remove(g, old);
                if (done != null) progress.accept(g + ": " + done);
            } catch (Exception unreachable) {
                // still dead or cut off: the address there answers nobody the new primary's clients can reach
            }
        });
    }

    private void event(String host, List<Analysis> failed, Map<String, GroupSnapshot> snapshots) {
        String eventId = host + "-" + Instant.now().toEpochMilli();
        // the host as one event: its verdict is evidence (and a silent host upgrades its groups to DeadHost)
        List<GroupSnapshot> onHost = snapshots.values().stream().filter(s -> !s.membersOn(host).isEmpty()).toList();
        HostEvent he = hostAnalyzer.analyze(host, snapshots.get(failed.getFirst().group()).primaryHost(), onHost);
        if (failed.size() > 1 || he.verdict() == HostEvent.Verdict.DEAD) progress.accept("host event " + eventId + ": " + he.evidence().getFirst());
        Map<String, Integer> perHost = new HashMap<>();
        primaries.forEach((g, p) -> {
            if (failed.stream().noneMatch(a -> a.group().equals(g))) perHost.merge(topology.hostOf(p).name(), 1, Integer::sum);
        });
        for (Analysis a : failed) {
            GroupSnapshot s = snapshots.get(a.group());
            AntiFlap.Decision d = AntiFlap.decide(new AntiFlap.Request(a.group(), s.primary().host(), s.primary().zone(), eventId, Trigger.AUTOMATIC),
                    store.since(Instant.now().minus(settings.antiFlap().groupWindow().compareTo(settings.antiFlap().fleetWindow()) > 0
                            ? settings.antiFlap().groupWindow() : settings.antiFlap().fleetWindow())), Instant.now(), settings.antiFlap());
            if (!d.allowed()) {
                progress.accept(a.group() + ": " + a.code() + " but no automatic failover: " + d.reason());
                continue;
            }
            ElectionContext ctx = context(a.group(), s).withPrimariesPerHost(Map.copyOf(perHost));
            Ranking r = Election.rank(candidates(s), ctx);
            r.winner().ifPresent(w -> perHost.merge(w.host(), 1, Integer::sum));
            String id = a.group() + "-" + Instant.now().toEpochMilli();
            Map<String, GtidSet> errant = errant(s);
            long confirmed = System.nanoTime();
            long suspected = suspectedAt.getOrDefault(a.group(), confirmed);
            recovering.put(a.group(), workers.submit(() -> {
                // when the primary was first seen failing, in the journal: detection and confirmation can be told apart
                List<String> evidence = new ArrayList<>(a.evidence());
                evidence.add("first seen failing at " + Instant.now().minusNanos(confirmed - suspected + (System.nanoTime() - confirmed))
                        + ", confirmed " + (confirmed - suspected) / 1_000_000 + " ms later");
                Analysis journaled = new Analysis(a.group(), a.code(), a.at(), evidence);
                Recovery.Result res = recovery.failover(id, eventId, Trigger.AUTOMATIC, journaled, s, ctx, errant);
                if (res.outcome() == Recovery.Outcome.DONE) {
                    primaries.put(a.group(), res.newPrimary());
                    staleIps.put(a.group(), s.primary().instance());
                    suspectedAt.remove(a.group());
                }
                incidents.add(new Incident(a.group(), suspected, confirmed, System.nanoTime(), res, a.code()));
                progress.accept(a.group() + ": recovery " + id + " " + res.outcome() + (res.newPrimary() != null ? ", new primary " + res.newPrimary() : "")
                        + (res.reason() != null ? ": " + res.reason() : "") + " (" + res.took().toMillis() + " ms)");
            }));
        }
    }

    /** The election's frame for a group: zone policy, zones cut off from the manager with every instance silent, lag limit. */
    ElectionContext context(String group, GroupSnapshot s) {
        Topology.Group g = topology.group(group);
        return ElectionContext.of(group, s.primary().instance(), s.primary().zone())
                .withZonePolicy(g.failover().zonePolicy())
                .withMaxLag(settings.maxLag());
    }

    List<Candidate> candidates(GroupSnapshot s) {
        Map<String, GtidSet> errant = errant(s);
        String old = s.primary().instance();
        return s.replicas().stream().filter(r -> !r.reachable() || old.equals(r.source())).map(r -> Candidate.of(r, errant.get(r.instance()))).toList();
    }

    Map<String, GtidSet> errant(GroupSnapshot s) {
        return Errant.of(s, lastPrimaryGtid.get(s.group()));
    }

    /**
     * The primary moved without this monitor (a switchover or promotion from another process): the
     * member the others follow and that takes writes is the group's primary now.
     */
    private void adopt(String group) {
        try {
            FleetView view = new FleetView(topology, new Discovery(topology, settings.admin()).probe(topology.group(group).instanceNames()));
            String now = view.group(group).primary().orElse(null);
            String known = primaries.get(group);
            if (now != null && !now.equals(known) && view.state(now).writable()) {
                primaries.put(group, now);
                progress.accept(group + ": primary is now " + now + " (moved from " + known + " by someone else); watching it");
            }
        } catch (RuntimeException e) {
            progress.accept(group + ": could not look for the group's primary: " + e.getMessage());
        }
    }

    /** An extra writable member (a fenced old primary that answered again, a rival primary): fenced, nothing else moves. */
    private void fenceExtra(GroupSnapshot s) {
        for (ReplicaView r : s.replicas()) {
            if (!r.reachable() || !r.writable()) continue;
            try {
                progress.accept(s.group() + ": " + r.instance() + " was writable beside primary " + s.primary().instance() + ": " + servers.fenceOrStop(r.instance()));
                String dropped = endpoints.dropStale(s.group(), r.instance(), s.primary().instance());
                if (dropped != null) progress.accept(s.group() + ": " + dropped);
            } catch (Exception e) {
                progress.accept(s.group() + ": could not fence extra writable " + r.instance() + ": " + e.getMessage() + " (tried again next round)");
            }
        }
    }

    private void say(Analysis a) {
        AnalysisCode before = said.put(a.group(), a.code());
        if (before == a.code()) return;
        progress.accept(a.group() + ": " + a.code() + (a.code() == AnalysisCode.NoProblem ? "" : ": " + String.join("; ", a.evidence())));
    }

    /** The recoveries this monitor ran, in the order they ended. */
    public List<Recovery.Result> results() {
        return incidents().stream().map(Incident::result).toList();
    }

    /** The recoveries with their clocks, in the order they ended. */
    public List<Incident> incidents() {
        synchronized (incidents) {
            return List.copyOf(incidents);
        }
    }

    /** The primary the monitor knows for a group now. */
    public String primary(String group) {
        return primaries.get(group);
    }

    /**
     * Waits up to {@code limit} for the recoveries in flight to end. A daemon that stops leading
     * lets the recoveries it started finish (each holds its group's lock, so no other can start
     * on that group meanwhile) rather than interrupting one between fencing and promotion.
     */
    public boolean awaitRecoveries(java.time.Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        for (Future<?> f : List.copyOf(recovering.values())) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            try {
                f.get(left, java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException e) {
                // it ended: its outcome is in the journal
            } catch (java.util.concurrent.TimeoutException e) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        workers.shutdownNow();
        collector.close();
    }
}
