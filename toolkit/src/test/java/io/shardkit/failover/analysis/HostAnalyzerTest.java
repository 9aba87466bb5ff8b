package io.shardkit.failover.analysis;

import static io.shardkit.failover.analysis.Snapshots.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.topology.PromotionRule;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Host h1 holds p (primary of g1), q (primary of g2) and a replica of g3; each on its own secondary IP. */
class HostAnalyzerTest {
    static final HostAnalyzer HOSTS = new HostAnalyzer(ANALYZER);

    static final Member Q = new Member("q", "h1", "z1", PromotionRule.NEUTRAL);
    static final Member Q2 = new Member("q2", "h2", "z2", PromotionRule.NEUTRAL);
    static final Member Q3 = new Member("q3", "h3", "z3", PromotionRule.NEUTRAL);
    static final Member T = new Member("t", "h5", "z2", PromotionRule.NEUTRAL);
    static final Member T1 = new Member("t1", "h1", "z1", PromotionRule.NEUTRAL);

    static ReplicaView following(Member m, String primary, boolean lost) {
        ReplicaView.Builder b = ReplicaView.builder(m).executed(primarySet());
        return lost ? b.source(primary).io(io.shardkit.mysql.ReplicaStatus.ThreadState.CONNECTING, "error connecting to master")
                .sql(io.shardkit.mysql.ReplicaStatus.ThreadState.RUNNING, null).build() : b.streaming(primary, ms(200)).build();
    }

    static GroupSnapshot g1(PrimaryProbe probe, HostAnswer host, ReplicaView... replicas) {
        return new GroupSnapshot("g1", AT, P, probe, host, List.of(), List.of(replicas), null);
    }

    static GroupSnapshot g2(PrimaryProbe probe, HostAnswer host, ReplicaView... replicas) {
        return new GroupSnapshot("g2", AT, Q, probe, host, List.of(), List.of(replicas), null);
    }

    /** g3's primary t lives elsewhere; its replica t1 is on h1. */
    static GroupSnapshot g3(ReplicaView t1) {
        return new GroupSnapshot("g3", AT, T, alive(), HostAnswer.ANSWERS, List.of(), List.of(t1), null);
    }

    @Test
    void deadHostWithTwoPrimariesIsOneEvent() {
        HostEvent e = HOSTS.analyze("h1", HostAnswer.SILENT, List.of(
                g1(timedOut(), HostAnswer.SILENT, following(R2, "p", true), following(R3, "p", true)),
                g2(timedOut(), HostAnswer.SILENT, following(Q2, "q", true), following(Q3, "q", true)),
                g3(down(T1))));
        assertThat(e.verdict()).isEqualTo(HostEvent.Verdict.DEAD);
        assertThat(e.failovers()).extracting(Analysis::group).containsExactly("g1", "g2");
        assertThat(e.failovers()).extracting(Analysis::code).containsOnly(AnalysisCode.DeadHost);
        assertThat(e.lostReplicas()).containsExactly("g3/t1");
        assertThat(e.evidence().getFirst()).isEqualTo("host h1 is dead: silent, every instance on it gone, confirmed by g1, g2");
    }

    @Test
    void oneConfirmationCoversEveryPrimaryOnTheMachine() {
        // g2's replicas have stopped IO threads: alone g2 could not be confirmed, but it shares the dead machine with g1
        ReplicaView stopped = ReplicaView.builder(Q2).source("q").build();
        HostEvent e = HOSTS.analyze("h1", HostAnswer.SILENT, List.of(
                g1(timedOut(), HostAnswer.SILENT, following(R2, "p", true)),
                g2(timedOut(), HostAnswer.SILENT, stopped)));
        assertThat(e.verdict()).isEqualTo(HostEvent.Verdict.DEAD);
        assertThat(e.failovers()).extracting(Analysis::group).containsExactly("g1", "g2");
        assertThat(e.primaries().get(1).evidence().getFirst()).isEqualTo("host h1 is dead (confirmed by g1), and q was on it");
        assertThat(ANALYZER.analyze(g2(timedOut(), HostAnswer.SILENT, stopped)).code()).isEqualTo(AnalysisCode.UnconfirmedPrimaryFailure);
    }

    @Test
    void aGroupWithNobodyToPromoteIsListedButNotFailedOver() {
        HostEvent e = HOSTS.analyze("h1", HostAnswer.SILENT, List.of(
                g1(timedOut(), HostAnswer.SILENT, following(R2, "p", true)),
                g2(timedOut(), HostAnswer.SILENT, down(Q2))));
        assertThat(e.verdict()).isEqualTo(HostEvent.Verdict.DEAD);
        assertThat(e.primaries()).extracting(Analysis::code).containsExactly(AnalysisCode.DeadHost, AnalysisCode.UnconfirmedPrimaryFailure);
        assertThat(e.failovers()).extracting(Analysis::group).containsExactly("g1");
    }

    @Test
    void aSilentHostWhosePrimaryStillStreamsIsOnlyLostByTheManager() {
        HostEvent e = HOSTS.analyze("h1", HostAnswer.SILENT, List.of(
                g1(timedOut(), HostAnswer.SILENT, following(R2, "p", true)),
                g2(timedOut(), HostAnswer.SILENT, following(Q2, "q", false))));
        assertThat(e.verdict()).isEqualTo(HostEvent.Verdict.LOST_BY_MANAGER);
        assertThat(e.failovers()).isEmpty();
        assertThat(e.evidence().getFirst()).isEqualTo("host h1 is silent to the manager but lives: g2 (UnreachablePrimary)");
    }

    @Test
    void anyAnswerFromTheMachineMeansItLives() {
        List<GroupSnapshot> groups = List.of(g1(timedOut(), HostAnswer.ANSWERS, following(R2, "p", true)), g3(down(T1)));
        HostEvent e = HOSTS.analyze("h1", HostAnswer.ANSWERS, groups);
        assertThat(e.verdict()).isEqualTo(HostEvent.Verdict.ALIVE);
        assertThat(e.failovers()).isEmpty();
        // g1 still fails over, as a group of its own
        assertThat(e.primaries().getFirst().code()).isEqualTo(AnalysisCode.DeadPrimary);
        // a refusal comes from the host's kernel
        HostEvent refused = HOSTS.analyze("h1", HostAnswer.SILENT, List.of(g1(refused(), HostAnswer.SILENT, following(R2, "p", true))));
        assertThat(refused.verdict()).isEqualTo(HostEvent.Verdict.ALIVE);
        assertThat(refused.evidence().getFirst()).isEqualTo("host h1 lives: primary p of g1 refused");
        // so does a replica on it that answers
        HostEvent replica = HOSTS.analyze("h1", HostAnswer.SILENT, List.of(g1(timedOut(), HostAnswer.SILENT, following(R2, "p", true)),
                g3(following(T1, "t", false))));
        assertThat(replica.verdict()).isEqualTo(HostEvent.Verdict.ALIVE);
    }

    @Test
    void withoutWitnessesOrExecNothingIsConfirmed() {
        HostEvent noWitness = HOSTS.analyze("h1", HostAnswer.SILENT, List.of(g1(timedOut(), HostAnswer.SILENT, down(R2))));
        assertThat(noWitness.verdict()).isEqualTo(HostEvent.Verdict.UNCONFIRMED);
        assertThat(noWitness.failovers()).isEmpty();
        HostEvent noExec = HOSTS.analyze("h1", HostAnswer.NOT_PROBED, List.of(g1(timedOut(), HostAnswer.NOT_PROBED, following(R2, "p", true))));
        assertThat(noExec.verdict()).isEqualTo(HostEvent.Verdict.UNCONFIRMED);
        assertThat(noExec.failovers()).isEmpty();
    }

    @Test
    void aHostOfReplicasOnlyIsDeadWithNothingToDo() {
        HostEvent e = HOSTS.analyze("h1", HostAnswer.SILENT, List.of(g3(down(T1))));
        assertThat(e.verdict()).isEqualTo(HostEvent.Verdict.DEAD);
        assertThat(e.failovers()).isEmpty();
        assertThat(e.lostReplicas()).containsExactly("g3/t1");
    }

    @Test
    void aLockedGroupWaitsInsideTheEvent() {
        HostEvent e = HOSTS.analyze("h1", HostAnswer.SILENT, List.of(
                g1(timedOut(), HostAnswer.SILENT, following(R2, "p", true)).lockedBy("cutover m1"),
                g2(timedOut(), HostAnswer.SILENT, following(Q2, "q", true))));
        assertThat(e.verdict()).isEqualTo(HostEvent.Verdict.DEAD);
        assertThat(e.primaries()).extracting(Analysis::code).containsExactly(AnalysisCode.GroupLocked, AnalysisCode.DeadHost);
        assertThat(e.failovers()).extracting(Analysis::group).containsExactly("g2");
    }
}
