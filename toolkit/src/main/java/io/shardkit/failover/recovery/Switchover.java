package io.shardkit.failover.recovery;

import io.shardkit.catalog.GroupLocks;
import io.shardkit.failover.analysis.GroupSnapshot;
import io.shardkit.failover.analysis.Reach;
import io.shardkit.failover.analysis.ReplicaView;
import io.shardkit.failover.election.Candidate;
import io.shardkit.failover.election.Election;
import io.shardkit.failover.election.ElectionContext;
import io.shardkit.failover.election.Ranking;
import io.shardkit.failover.election.TargetCheck;
import io.shardkit.mysql.GtidSet;
import io.shardkit.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A planned change of primary with a live old one: predict the write block, freeze the old
 * primary (read_only: the application's writes are refused, never lost), wait until the candidate
 * has every transaction it executed, promote, fence the old primary for good, move the endpoint,
 * repoint the replicas and demote the old primary to a replica of the new one. Any failure before
 * the promotion unfreezes the old primary: the group is as it was.
 */
public final class Switchover {
    /** A switchover's plan and outcome: timeline steps and the measured write block (freeze to endpoint moved). */
    public record Result(String id, String group, String oldPrimary, String newPrimary, boolean done, String reason, Duration predictedBlock,
                         Duration writeBlock, List<Recovery.Step> steps) {}

    private final Topology topology;
    private final Servers servers;
    private final Endpoints endpoints;
    private final RecoveryStore store;
    private final GroupLocks locks;
    private final boolean semiSync;
    private final Consumer<String> progress;

    public Switchover(Topology topology, Servers servers, Endpoints endpoints, RecoveryStore store, GroupLocks locks, boolean semiSync, Consumer<String> progress) {
        this.topology = topology;
        this.servers = servers;
        this.endpoints = endpoints;
        this.store = store;
        this.locks = locks;
        this.semiSync = semiSync;
        this.progress = progress;
    }

    /**
     * @param to       the instance to promote, or null for the election's choice
     * @param maxBlock refuse (nothing changed) when the predicted write block exceeds it
     */
    public Result run(String id, GroupSnapshot s, String to, Duration maxBlock, ElectionContext ctx, java.util.Map<String, GtidSet> errant) throws Exception {
        String group = s.group();
        String old = s.primary().instance();
        if (s.primaryProbe().reach() != Reach.ANSWERED || s.primaryProbe().readOnly()) {
            throw new IllegalArgumentException("group " + group + "'s primary " + old + " is not a working primary (" + s.primaryProbe().reach().word()
                    + (s.primaryProbe().readOnly() ? ", read-only" : "") + "): a switchover needs a live one; use 'failover promote'");
        }
        List<Candidate> candidates = s.replicas().stream().map(r -> Candidate.of(r, errant.get(r.instance()))).toList();
        Candidate winner;
        if (to != null) {
            TargetCheck tc = Election.checkTarget(to, candidates, ctx);
            if (!tc.allowed()) throw new IllegalArgumentException(tc.message());
            winner = candidates.stream().filter(c -> c.instance().equals(to)).findFirst().orElseThrow();
        } else {
            Ranking r = Election.rank(candidates, ctx);
            winner = r.winner().orElseThrow(() -> new IllegalArgumentException("no replica of " + group + " can be promoted: " + String.join("; ", r.lines())));
        }
        ReplicaView view = s.replicas().stream().filter(r -> r.instance().equals(winner.instance())).findFirst().orElseThrow();
        // what the freeze lasts: the candidate's apply backlog, plus the promotion's statements and the endpoint move
        Duration predicted = (view.lag() == null ? Duration.ZERO : view.lag()).plusMillis(150);
        if (predicted.compareTo(maxBlock) > 0) {
            throw new IllegalArgumentException("switchover of " + group + " to " + winner.instance() + " refused: predicted write block " + predicted.toMillis()
                    + " ms exceeds --max-block " + maxBlock.toMillis() + " ms (it lags " + view.lag() + ")");
        }
        store.begin(id, id, group, Trigger.SWITCHOVER, "Switchover", old, s.primary().host(), s.primary().zone(), "[\"predicted write block " + predicted.toMillis() + " ms\"]");
        List<Recovery.Step> steps = new ArrayList<>();
        String holder = "switchover:" + id;
        List<GroupLocks.Held> held = locks.acquire(List.of(group), holder, "switchover");
        if (!held.isEmpty()) {
            store.finish(id, "refused", null, "group locked by " + held.getFirst().holder(), null, null);
            throw new IllegalStateException("group " + group + " is locked by " + held.getFirst().holder() + " (" + held.getFirst().purpose() + ")");
        }
        long frozenAt = 0;
        boolean promoted = false;
        try {
            long t = System.nanoTime();
            // fenced, not only read-only: MariaDB's read_only lets privileged sessions through, and the GTID set read
            // next must be final, so every session ends (a commit in flight first) before it is read
            int ended = servers.fence(old);
            frozenAt = System.nanoTime();
            steps.add(step(id, group, steps, "freeze", t, old + " fenced: writes are refused, " + ended + " session(s) ended"));
            t = System.nanoTime();
            GtidSet last = servers.executed(old);
            servers.awaitApplied(winner.instance(), last, maxBlock.multipliedBy(4));
            steps.add(step(id, group, steps, "catch-up", t, winner.instance() + " has everything " + old + " executed (" + last.format() + ")"));
            t = System.nanoTime();
            servers.promote(winner.instance(), semiSync);
            promoted = true;
            servers.fence(old);
            GtidSet after = servers.executed(old);
            String extra = after.equals(last) ? "" : "; WARNING: " + old + " committed after the freeze (now " + after.format() + "): 'failover rejoin' will refuse it";
            steps.add(step(id, group, steps, "promote", t, winner.instance() + " is the primary; " + old + " fenced" + extra));
            t = System.nanoTime();
            List<String> moved = endpoints.move(new Endpoints.Change(id, group, old, winner.instance(), last.format(), true));
            long blockEnd = System.nanoTime();
            steps.add(step(id, group, steps, "endpoint", t, String.join("; ", moved)));
            t = System.nanoTime();
            List<String> lines = new ArrayList<>();
            for (String m : topology.group(group).instanceNames()) {
                if (m.equals(winner.instance())) continue;
                try {
                    servers.repoint(m, winner.instance());
                    lines.add(m + " replicates from " + winner.instance() + (m.equals(old) ? " (the old primary, demoted)" : ""));
                } catch (Exception e) {
                    lines.add(m + " NOT repointed: " + e.getMessage());
                }
            }
            steps.add(step(id, group, steps, "repoint", t, String.join("; ", lines)));
            Duration block = Duration.ofNanos(blockEnd - frozenAt);
            store.finish(id, "done", winner.instance(), "write block " + block.toMillis() + " ms (predicted " + predicted.toMillis() + " ms)", null, null);
            return new Result(id, group, old, winner.instance(), true, null, predicted, block, steps);
        } catch (Exception e) {
            if (frozenAt != 0 && !promoted) {
                // nothing was promoted: the old primary takes writes again, the group is as it was
                servers.execute(old, io.shardkit.mysql.Flavors.forVersion(s.primaryProbe().version()).unfence());
            }
            store.finish(id, "failed", promoted ? winner.instance() : null, e.getMessage(), null, null);
            throw e;
        } finally {
            locks.release(List.of(group), holder);
        }
    }

    private Recovery.Step step(String id, String group, List<Recovery.Step> steps, String name, long t0, String line) {
        Recovery.Step s = new Recovery.Step(name, "ok", (System.nanoTime() - t0) / 1_000_000, List.of(line));
        store.step(id, group, steps.size() + 1, name, "ok", "{\"millis\":" + s.millis() + "}");
        progress.accept(group + " " + name + " in " + s.millis() + " ms: " + line);
        return s;
    }
}
