package io.shardkit.failover.recovery;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardkit.catalog.GroupLocks;
import io.shardkit.failover.analysis.Analysis;
import io.shardkit.failover.analysis.GroupSnapshot;
import io.shardkit.failover.analysis.HostAnswer;
import io.shardkit.failover.analysis.Reach;
import io.shardkit.failover.analysis.ReplicaView;
import io.shardkit.failover.election.Candidate;
import io.shardkit.failover.election.ElectionContext;
import io.shardkit.failover.election.Ranking;
import io.shardkit.mysql.GtidSet;
import io.shardkit.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One group's failover, as one readable sequence; each step journaled with its duration:
 * <ol>
 * <li><b>lock</b> the group (a cutover holding it makes the failover wait, bounded);</li>
 * <li><b>fence</b> the old primary where it can still do harm: by SQL when it answers, through its
 * host when mysqld is unreachable but the host answers (stopped: it acknowledges nothing more, and
 * its binary log stays for the salvage), never by opening anything;</li>
 * <li><b>elect</b> (the ranking, with each loser's reason, goes to the journal);</li>
 * <li><b>catch up</b>: the winner applies what it received, then fetches what a more advanced
 * survivor has;</li>
 * <li><b>promote</b>: replication forgotten, semi-sync as the group's durability asks, writes open;</li>
 * <li><b>endpoint</b>: the writer IP and hooks move to the new primary;</li>
 * <li><b>repoint</b> every other replica to it (GTID auto-positioning).</li>
 * </ol>
 * Invariant: the new primary opens for writes only after the old one was fenced or is known
 * unable to acknowledge (dead mysqld, a semi-sync primary with its replicas gone). Stage hooks
 * ({@link #onStage}) let tests act at each named step.
 */
public final class Recovery {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a recovery ended. */
    public enum Outcome { DONE, FAILED, NO_CANDIDATE }

    /** What a recovery did: its id, outcome, new primary, why it ended so, and each step with its duration. */
    public record Result(String id, String group, Outcome outcome, String newPrimary, String reason, List<Step> steps) {
        public Duration took() {
            return Duration.ofMillis(steps.stream().mapToLong(Step::millis).sum());
        }
    }

    /** One journaled step. */
    public record Step(String name, String outcome, long millis, List<String> evidence) {}

    /** Settings: how long to wait for a held group lock and for a catch-up. */
    public record Settings(Duration lockWait, Duration catchUp) {
        public static final Settings DEFAULT = new Settings(Duration.ofSeconds(5), Duration.ofSeconds(30));
    }

    private final Topology topology;
    private final Servers servers;
    private final Endpoints endpoints;
    private final RecoveryStore store;
    private final GroupLocks locks;
    private final Settings settings;
    /** Each group's durability in effect (its setting, or the flavor's default: see {@link #effective}). */
    private final java.util.function.Function<String, Topology.Durability> durability;
    /** Each instance's binary log basename as last seen alive (null: unknown, no salvage possible). */
    private java.util.function.Function<String, String> binlogs = i -> null;
    private final Consumer<String> progress;
    private final Stonith stonith;
    private Consumer<String> stageHook = s -> {};

    public Recovery(Topology topology, Servers servers, Endpoints endpoints, RecoveryStore store, GroupLocks locks, Settings settings,
                    java.util.function.Function<String, Topology.Durability> durability, Consumer<String> progress) {
        this.topology = topology;
        this.durability = durability;
        this.servers = servers;
        this.endpoints = endpoints;
        this.store = store;
        this.locks = locks;
        this.settings = settings;
        this.progress = progress;
        this.stonith = new Stonith(topology, endpoints);
    }

    /** Where each instance's binary log lives, as the monitor saw it while the instance answered (for the salvage). */
    public void binlogs(java.util.function.Function<String, String> where) {
        this.binlogs = where;
    }

    /** Called with each step's name before it runs ("failover.fence", "failover.promote", ...). */
    public void onStage(Consumer<String> hook) {
        this.stageHook = hook;
    }

    /** The in-flight record of one recovery: its steps so far. */
    private final class Run {
        final String id;
        final String group;
        final List<Step> steps = new ArrayList<>();

        Run(String id, String group) {
            this.id = id;
            this.group = group;
        }

        <T> T step(String name, StepWork<T> work) throws Exception {
            stageHook.accept("failover." + name);
            long t0 = System.nanoTime();
            List<String> evidence = new ArrayList<>();
            try {
                T out = work.run(evidence);
                record(name, "ok", t0, evidence);
                return out;
            } catch (Exception e) {
                evidence.add("failed: " + e.getMessage());
                record(name, "failed", t0, evidence);
                throw e;
            }
        }

        void record(String name, String outcome, long t0, List<String> evidence) {
            Step s = new Step(name, outcome, (System.nanoTime() - t0) / 1_000_000, List.copyOf(evidence));
            steps.add(s);
            store.step(id, group, steps.size(), name, outcome, json(Map.of("millis", s.millis(), "evidence", s.evidence())));
            progress.accept(group + " " + name + " " + outcome + " in " + s.millis() + " ms" + (evidence.isEmpty() ? "" : ": " + String.join("; ", evidence)));
        }
    }

    @FunctionalInterface
    private interface StepWork<T> {
        T run(List<String> evidence) throws Exception;
    }

    /**
     * Fails the group of {@code analysis} over to the best replica of {@code snapshot}.
     *
     * @param context the election context (host load within a dead-host event, zone policy)
     */
    public Result failover(String id, String eventId, Trigger trigger, Analysis analysis, GroupSnapshot snapshot, ElectionContext context,
                           Map<String, GtidSet> errant) {
        return failover(id, eventId, trigger, analysis, snapshot, errant, candidates -> io.shardkit.failover.election.Election.rank(candidates, context));
    }

    /** Chooses the new primary among the candidates (the automatic election, or the operator's {@code --to} once checked). */
    @FunctionalInterface
    public interface Elector {
        Ranking elect(List<Candidate> candidates);
    }

    /** The same sequence with the election left to {@code elector}. */
    public Result failover(String id, String eventId, Trigger trigger, Analysis analysis, GroupSnapshot snapshot, Map<String, GtidSet> errant, Elector elector) {
        String group = snapshot.group();
        String old = snapshot.primary().instance();
        store.begin(id, eventId, group, trigger, analysis.code().name(), old, snapshot.primary().host(), snapshot.primary().zone(), json(analysis.evidence()));
        Run run = new Run(id, group);
        String holder = "failover:" + id;
        String winner = null;
        Ranking ranking = null;
        try {
            run.step("lock", ev -> lock(group, holder, ev));
            boolean hostAnswers = snapshot.primaryHost() == HostAnswer.ANSWERS;
            // true when the old primary still answers, fenced by SQL: the winner then takes everything from it by replication
            boolean fencedLive = run.step("fence", ev -> fence(id, snapshot, hostAnswers, ev));
            ranking = run.step("elect", ev -> {
                List<Candidate> candidates = new ArrayList<>();
                for (ReplicaView r : snapshot.replicas()) {
                    // only the old primary's own replicas: a member that follows nobody (a dead primary restarted alone) or
                    // someone else is outside the replication tree whose transactions the new primary must carry on
                    if (!r.reachable() || old.equals(r.source())) candidates.add(Candidate.of(r, errant.get(r.instance())));
                    else ev.add(r.instance() + ": not a candidate: replicates from " + (r.source() == null ? "nobody" : r.source()) + ", not from " + old);
                }
                Ranking r = elector.elect(candidates);
                ev.addAll(r.lines());
                return r;
            });
            if (ranking.winner().isEmpty()) {
                finish(run, Outcome.NO_CANDIDATE, null, ranking.blocked().orElse("no candidate"), ranking);
                return new Result(id, group, Outcome.NO_CANDIDATE, null, ranking.blocked().orElse("no candidate"), run.steps);
            }
            Candidate w = ranking.winner().get();
            winner = w.instance();
            run.step("catch-up", ev -> catchUp(w, snapshot, fencedLive, ev));
            // an answering primary the SQL fence could not stop was stopped through its host: that host answers
            boolean hostReached = hostAnswers || (snapshot.primaryProbe().reach() == Reach.ANSWERED && !fencedLive);
            run.step("salvage", ev -> salvage(snapshot, w.instance(), fencedLive, hostReached, ev));
            run.step("promote", ev -> {
                boolean semi = semiSync(group);
                servers.promote(w.instance(), semi);
                ev.add(w.instance() + " is the primary of " + group + (semi ? " (semi-sync source, no fallback to acknowledging alone)" : " (async)"));
                return null;
            });
            String newPrimary = winner;
            run.step("endpoint", ev -> {
                ev.addAll(endpoints.move(new Endpoints.Change(id, group, old, newPrimary, servers.executed(newPrimary).format(), hostAnswers)));
                return null;
            });
            run.step("repoint", ev -> repoint(snapshot, newPrimary, ev));
            finish(run, Outcome.DONE, winner, null, ranking);
            return new Result(id, group, Outcome.DONE, winner, null, run.steps);
        } catch (Exception e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            finish(run, Outcome.FAILED, winner, why, ranking);
            return new Result(id, group, Outcome.FAILED, winner, why, run.steps);
        } finally {
            locks.release(List.of(group), holder);
        }
    }

    /**
     * Takes the group's lock. A cutover still checking (nothing frozen) is preempted at once; one
     * whose sources are frozen gets {@code lockWait} to finish, then is preempted and aborts (it
     * unfreezes only the groups it still holds); one already switching cannot be preempted, and
     * the failover waits for it, bounded. Anything else holding the group (another failover, a
     * switchover) is waited for, bounded. So a cutover and a failover never act on a group at once.
     */
    private Void lock(String group, String holder, List<String> ev) throws InterruptedException {
        long deadline = System.nanoTime() + settings.lockWait().toNanos();
        while (true) {
            List<GroupLocks.Held> held = locks.acquire(List.of(group), holder, "failover");
            if (held.isEmpty()) {
                ev.add("group lock taken");
                return null;
            }
            GroupLocks.Held h = held.getFirst();
            boolean cutover = h.holder().startsWith("cutover:");
            boolean waited = System.nanoTime() > deadline;
            if (cutover && !h.purpose().equals(GroupLocks.SWITCHING) && (waited || !h.purpose().equals(GroupLocks.FROZEN))
                    && locks.preempt(group, h.holder(), holder, "failover")) {
                ev.add("group lock taken from " + h.holder() + " (" + h.purpose() + ")" + (waited ? " after " + settings.lockWait().toMillis() + " ms" : "")
                        + ": that cutover aborts");
                return null;
            }
            if (waited) {
                throw new IllegalStateException("group " + group + " is locked by " + h.holder() + " (" + h.purpose() + ") for longer than "
                        + settings.lockWait().toMillis() + " ms");
            }
            Thread.sleep(50);
        }
    }

    /**
     * The old primary cannot acknowledge a write once the new one opens: fenced by SQL when it
     * answers; stopped through its host when it does not answer but its host does (a stall, a
     * partition of the manager alone); a stalled primary of a semi-sync group whose host does not
     * answer either is left to the monitor, which fences it as soon as it answers again, since none
     * of its commits can be acknowledged meanwhile (its replicas follow the new primary). When
     * neither answers, the group's stonith-hook (if any) powers the host off, once per host.
     */
    private Boolean fence(String id, GroupSnapshot s, boolean hostAnswers, List<String> ev) throws Exception {
        String old = s.primary().instance();
        Reach reach = s.primaryProbe().reach();
        if (reach == Reach.ANSWERED) {
            String done = servers.fenceOrStop(old);
            ev.add("old primary " + old + " answers: " + done);
            return done.startsWith("fenced by SQL");
        }
        boolean semi = semiSync(s.group());
        if (hostAnswers) {
            // also a stalled semi-sync primary: it could acknowledge nothing, but once it resumes it would look writable
            // beside the new primary until fenced, and a fence by SQL waits behind its commits that wait for acknowledgements
            ev.add(servers.stopThroughHost(old));
            return false;
        }
        if (reach == Reach.REFUSED) {
            ev.add("old primary " + old + " refuses connections: mysqld is not running");
            return false;
        }
        // neither the old primary nor its host answers: the machine is powered off when the group has a hook for it
        String shot = stonith.shoot(id, s.group(), old);
        if (shot != null) ev.add(shot);
        if (reach == Reach.STALLED && semi) {
            ev.add("old primary " + old + " is stalled on a semi-sync group and its host does not answer: it cannot acknowledge without a replica;"
                    + " the monitor fences it when it answers again");
            return false;
        }
        ev.add("old primary " + old + " and its host do not answer (" + reach.word() + "): " + (semi ? "semi-sync: it cannot acknowledge alone"
                : "async: what it acknowledged that no replica received is lost with the host"));
        return false;
    }

    /**
     * The winner gets every transaction a survivor has: first what its own IO thread received, then
     * what the most advanced reachable replica holds beyond it (fetched by replicating from that
     * replica), and, when the old primary still answered and was fenced, everything it executed
     * (its binary log still streams to the winner, which is still its replica).
     */
    private Void catchUp(Candidate w, GroupSnapshot s, boolean fencedLive, List<String> ev) throws Exception {
        GtidSet own = w.available();
        servers.awaitApplied(w.instance(), own, settings.catchUp());
        ev.add(w.instance() + " applied everything it received (" + own.format() + ")");
        if (fencedLive) {
            // fenced, not dead: its binary log still streams to the winner, which is still its replica
            GtidSet old = servers.executed(s.primary().instance());
            servers.awaitApplied(w.instance(), old, settings.catchUp());
            ev.add(w.instance() + " has everything the fenced old primary executed (" + old.format() + ")");
            own = own.union(old);
        }
        String richest = null;
        GtidSet most = own;
        for (ReplicaView r : s.replicas()) {
            if (!r.reachable() || r.instance().equals(w.instance()) || r.executed() == null) continue;
            // only the old primary's own replicas: a member outside the tree (a demoted primary refused a rejoin) may hold
            // transactions the group never had, which must not reach the new primary
            if (!s.primary().instance().equals(r.source())) continue;
            GtidSet has = r.received() == null ? r.executed() : r.executed().union(r.received());
            if (has.family() == own.family() && !most.contains(has)) {
                most = most.union(has);
                richest = r.instance();
            }
        }
        if (richest != null) {
            servers.fetchFrom(w.instance(), richest, most, settings.catchUp());
            ev.add(w.instance() + " fetched from " + richest + " what it lacked (" + most.subtract(own).format() + ")");
        }
        return null;
    }

    /**
     * What the dead primary committed that no survivor received, from its binary log through its
     * host, replayed on the winner under the original GTIDs before it opens. Possible only when
     * mysqld is gone but the host answers and the log's place is known.
     */
    private Void salvage(GroupSnapshot s, String winner, boolean fencedLive, boolean hostAnswers, List<String> ev) throws Exception {
        String old = s.primary().instance();
        if (fencedLive) {
            ev.add("nothing to salvage: the old primary answered, was fenced, and the winner applied all it executed");
            return null;
        }
        String basename = binlogs.apply(old);
        if (!hostAnswers || basename == null) {
            ev.add("no salvage: " + (!hostAnswers ? "the old primary's host does not answer" : "where " + old + " writes its binary log was never seen"));
            return null;
        }
        GtidSet have = servers.executed(winner);
        io.shardkit.failover.salvage.Salvage.Found found = io.shardkit.failover.salvage.Salvage.find(topology.hostOf(old), basename, have);
        ev.addAll(found.notes());
        if (found.missing().isEmpty()) {
            ev.add("the survivors had every transaction " + old + " committed");
            return null;
        }
        servers.applySalvage(winner, io.shardkit.failover.salvage.Salvage.statements(found));
        ev.add("salvaged " + found.missing().size() + " transaction(s) no survivor had, applied to " + winner + ": "
                + String.join(", ", found.missing().stream().map(io.shardkit.failover.salvage.BinlogFile.Transaction::gtid).limit(20).toList())
                + (found.missing().size() > 20 ? ", ..." : ""));
        return null;
    }

    private Void repoint(GroupSnapshot s, String newPrimary, List<String> ev) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        for (ReplicaView r : s.replicas()) {
            if (r.instance().equals(newPrimary) || !r.reachable()) continue;
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    servers.repoint(r.instance(), newPrimary);
                    lines.add(r.instance() + " replicates from " + newPrimary);
                } catch (Exception e) {
                    lines.add(r.instance() + " NOT repointed: " + e.getMessage());
                }
            }));
        }
        for (Thread t : threads) t.join();
        ev.addAll(lines);
        return null;
    }

    boolean semiSync(String group) {
        return durability.apply(group) == Topology.Durability.SEMI_SYNC;
    }

    /** A group's durability: its own setting, else semi-sync where the flavor has it built in (MariaDB), async elsewhere. */
    public static Topology.Durability effective(Topology.Group g, io.shardkit.mysql.FlavorFamily family) {
        if (g.failover().durability() != null) return g.failover().durability();
        return family == io.shardkit.mysql.FlavorFamily.MARIADB ? Topology.Durability.SEMI_SYNC : Topology.Durability.ASYNC;
    }

    private void finish(Run run, Outcome outcome, String newPrimary, String reason, Ranking ranking) {
        List<Map<String, Object>> timeline = new ArrayList<>();
        for (Step s : run.steps) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", s.name());
            m.put("outcome", s.outcome());
            m.put("millis", s.millis());
            timeline.add(m);
        }
        store.finish(run.id, outcome.name().toLowerCase(java.util.Locale.ROOT), newPrimary, reason, ranking == null ? null : json(ranking.lines()), json(timeline));
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (Exception e) {
            return "\"" + o + "\"";
        }
    }
}
