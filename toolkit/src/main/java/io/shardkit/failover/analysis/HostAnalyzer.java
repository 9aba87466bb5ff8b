package io.shardkit.failover.analysis;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A host as one event. Several instances share a host (each on its own secondary IP), so when the
 * machine dies several groups lose a primary or a replica at once; judged group by group, each would
 * elect alone and two new primaries could land on one host.
 *
 * <p>A host is DEAD when it does not run commands, no instance on it answers the manager in any way
 * (a refusal or a stall proves its kernel lives), no witness shows anything on it alive, and at least
 * one group whose primary is there has independent confirmation (its replicas lost it, or every other
 * zone's probe failed). One confirmation is enough for the whole machine: a group on the same host
 * whose own witnesses could not tell (replicas with stopped IO threads) is then failed over too, as
 * {@link AnalysisCode#DeadHost}, when it has a replica to promote. A host holding only replicas needs
 * no confirmation, since nothing is done for it beyond reporting them lost.
 */
public final class HostAnalyzer {

    private static final Set<AnalysisCode> CONFIRMED_GONE = EnumSet.of(AnalysisCode.DeadHost, AnalysisCode.DeadPrimary,
            AnalysisCode.DeadPrimaryAndSomeReplicas, AnalysisCode.DeadPrimaryWithoutReplicas);
    private static final Set<AnalysisCode> PROOF_OF_LIFE = EnumSet.of(AnalysisCode.UnreachablePrimary, AnalysisCode.PartitionedPrimary,
            AnalysisCode.StalledPrimaryReplicasConnected);

    private final Analyzer analyzer;

    public HostAnalyzer(Analyzer analyzer) {
        this.analyzer = analyzer;
    }

    /**
     * @param snapshots one per group with a member on {@code host} (others are ignored), each taken
     *                  with {@code answer} as its primary's host answer where the primary is there
     */
    public HostEvent analyze(String host, HostAnswer answer, List<GroupSnapshot> snapshots) {
        List<String> facts = new ArrayList<>();
        List<String> lostReplicas = new ArrayList<>();
        List<String> alive = new ArrayList<>();
        List<GroupSnapshot> primariesHere = new ArrayList<>();
        facts.add("host " + host + ": " + (answer == HostAnswer.ANSWERS ? "runs commands" : answer == HostAnswer.SILENT ? "does not run commands" : "no exec access"));
        if (answer == HostAnswer.ANSWERS) alive.add("it runs commands");
        for (GroupSnapshot s : snapshots) {
            if (s.primary().host().equals(host)) {
                primariesHere.add(s);
                Reach r = s.primaryProbe().reach();
                if (r != Reach.TIMED_OUT) alive.add("primary " + s.primary().instance() + " of " + s.group() + " " + r.word());
            }
            for (ReplicaView r : s.replicas()) {
                if (!r.member().host().equals(host)) continue;
                lostReplicas.add(s.group() + "/" + r.instance());
                if (r.reachable()) alive.add("replica " + r.instance() + " of " + s.group() + " answers");
            }
        }
        List<Analysis> unlocked = primariesHere.stream().map(analyzer::analyzeUnlocked).toList();
        unlocked.forEach(a -> facts.add(a.group() + ": " + a.code() + ": " + a.evidence().getFirst()));
        if (!alive.isEmpty()) {
            return event(host, HostEvent.Verdict.ALIVE, "host " + host + " lives: " + String.join("; ", alive), primariesHere, unlocked, List.of(), facts);
        }
        List<String> witnessedAlive = unlocked.stream().filter(a -> PROOF_OF_LIFE.contains(a.code())).map(a -> a.group() + " (" + a.code() + ")").toList();
        if (!witnessedAlive.isEmpty()) {
            return event(host, HostEvent.Verdict.LOST_BY_MANAGER, "host " + host + " is silent to the manager but lives: " + String.join(", ", witnessedAlive),
                    primariesHere, unlocked, lostReplicas, facts);
        }
        if (answer == HostAnswer.NOT_PROBED) {
            return event(host, HostEvent.Verdict.UNCONFIRMED, "host " + host + " has no exec access: a dead machine cannot be told from dead instances",
                    primariesHere, unlocked, lostReplicas, facts);
        }
        if (primariesHere.isEmpty()) {
            return event(host, HostEvent.Verdict.DEAD, "host " + host + " and its instances are silent; no primary was there: "
                    + lostReplicas.size() + " replicas lost, nothing to fail over", primariesHere, unlocked, lostReplicas, facts);
        }
        List<String> confirmedBy = unlocked.stream().filter(a -> CONFIRMED_GONE.contains(a.code())).map(Analysis::group).toList();
        if (confirmedBy.isEmpty()) {
            return event(host, HostEvent.Verdict.UNCONFIRMED, "host " + host + " and its instances are silent, and no group's witnesses confirm it",
                    primariesHere, unlocked, lostReplicas, facts);
        }
        List<Analysis> upgraded = new ArrayList<>();
        for (int i = 0; i < unlocked.size(); i++) upgraded.add(upgrade(unlocked.get(i), primariesHere.get(i), host, confirmedBy));
        return event(host, HostEvent.Verdict.DEAD, "host " + host + " is dead: silent, every instance on it gone, confirmed by "
                + String.join(", ", confirmedBy), primariesHere, upgraded, lostReplicas, facts);
    }

    /** A group the host's death confirms although its own witnesses could not. */
    private static Analysis upgrade(Analysis a, GroupSnapshot s, String host, List<String> confirmedBy) {
        if (a.code() != AnalysisCode.UnconfirmedPrimaryFailure || s.replicas().stream().noneMatch(ReplicaView::reachable)) return a;
        List<String> evidence = new ArrayList<>();
        evidence.add("host " + host + " is dead (confirmed by " + String.join(", ", confirmedBy) + "), and " + s.primary().instance() + " was on it");
        evidence.addAll(a.evidence());
        return new Analysis(a.group(), AnalysisCode.DeadHost, a.at(), evidence);
    }

    private static HostEvent event(String host, HostEvent.Verdict verdict, String why, List<GroupSnapshot> snapshots, List<Analysis> analyses,
                                   List<String> lostReplicas, List<String> facts) {
        List<Analysis> locked = new ArrayList<>();
        for (int i = 0; i < analyses.size(); i++) locked.add(Analyzer.withLock(snapshots.get(i), analyses.get(i)));
        List<String> evidence = new ArrayList<>();
        evidence.add(why);
        evidence.addAll(facts);
        return new HostEvent(host, verdict, locked, lostReplicas, evidence);
    }
}
