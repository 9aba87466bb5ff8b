package io.shardkit.failover.analysis;

import static io.shardkit.failover.analysis.Snapshots.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.mysql.ReplicaStatus.ThreadState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pictures that look like a dead primary and are not (invariant 4), and the witnesses' exact thresholds. */
class AnalyzerTrapsTest {

    @Test
    void onlyTheManagerLostThePrimary() {
        Analysis a = analyze(group(timedOut(), streaming(R2), streaming(R3)).withHost(HostAnswer.SILENT));
        assertThat(a.code()).isEqualTo(AnalysisCode.UnreachablePrimary);
        assertThat(a.automatic()).isFalse();
        assertThat(a.evidence().getFirst()).isEqualTo("the manager lost p but r2, r3 still stream from it: it lives, only the manager's path is cut");
    }

    @Test
    void oneReplicaOfThreeStillStreamingIsProofOfLife() {
        Analysis a = analyze(group(timedOut(), connecting(R2), streaming(R3), connecting(R4)));
        assertThat(a.code()).isEqualTo(AnalysisCode.UnreachablePrimary);
        assertThat(a.evidence().getFirst()).contains("but r3 still stream");
    }

    @Test
    void theSilenceLimitIsExclusive() {
        // 3 missed heartbeats of 1 s: exactly 3 s of silence is still streaming, a millisecond more is lost
        assertThat(analyze(group(timedOut(), connecting(R2), streaming(R3, s(3)))).code()).isEqualTo(AnalysisCode.UnreachablePrimary);
        assertThat(analyze(group(timedOut(), connecting(R2), streaming(R3, ms(3001)))).code()).isEqualTo(AnalysisCode.DeadPrimary);
        Analyzer patient = new Analyzer(new AnalysisSettings(s(1), 10, s(5), s(30)));
        assertThat(patient.analyze(group(timedOut(), connecting(R2), streaming(R3, s(5)))).code()).isEqualTo(AnalysisCode.UnreachablePrimary);
    }

    @Test
    void unknownSilenceCountsAsStreaming() {
        ReplicaView unknown = ReplicaView.builder(R3).source("p").io(ThreadState.RUNNING, null).sql(ThreadState.RUNNING, null).build();
        Analysis a = analyze(group(timedOut(), connecting(R2), unknown));
        assertThat(a.code()).isEqualTo(AnalysisCode.UnreachablePrimary);
        assertThat(a.evidence()).contains("r3: IO thread running, silence unknown: counted as streaming; SQL thread running");
    }

    @Test
    void aStoppedIoThreadIsNoWitness() {
        ReplicaView stoppedByHand = ReplicaView.builder(R3).source("p").sql(ThreadState.RUNNING, null).heard(s(600)).build();
        ReplicaView purged = ReplicaView.builder(R4).source("p").io(ThreadState.STOPPED, "Got fatal error 1236 from source").heard(s(900)).build();
        // neither confirms nor refutes: r2 decides
        assertThat(analyze(group(timedOut(), connecting(R2), stoppedByHand, purged)).code()).isEqualTo(AnalysisCode.DeadPrimary);
        assertThat(analyze(group(timedOut(), streaming(R2), stoppedByHand, purged)).code()).isEqualTo(AnalysisCode.UnreachablePrimary);
        // alone they leave the failure unconfirmed
        Analysis a = analyze(group(timedOut(), stoppedByHand, purged));
        assertThat(a.code()).isEqualTo(AnalysisCode.UnconfirmedPrimaryFailure);
        assertThat(a.automatic()).isFalse();
        assertThat(a.evidence()).contains("r4: IO thread stopped (Got fatal error 1236 from source): no testimony; SQL thread stopped");
    }

    @Test
    void aReplicaOfAnotherMemberSaysNothingAboutThePrimary() {
        ReplicaView chained = ReplicaView.builder(R4).streaming("r3", ms(100)).build();
        assertThat(analyze(group(timedOut(), connecting(R2), connecting(R3), chained)).code()).isEqualTo(AnalysisCode.DeadPrimary);
        assertThat(analyze(group(timedOut(), chained)).code()).isEqualTo(AnalysisCode.UnconfirmedPrimaryFailure);
    }

    @Test
    void withNoReplicaWitnessAnotherZoneDecides() {
        ReplicaView stopped = ReplicaView.builder(R2).source("p").build();
        GroupSnapshot base = group(timedOut(), stopped, down(R3));
        assertThat(analyze(base).code()).isEqualTo(AnalysisCode.UnconfirmedPrimaryFailure);

        Analysis reached = analyze(base.withVantages(List.of(VantageProbe.failed("z2", "h2b", Reach.TIMED_OUT, null), VantageProbe.answered("z3", "h3b"))));
        assertThat(reached.code()).isEqualTo(AnalysisCode.UnreachablePrimary);
        assertThat(reached.evidence().getFirst()).isEqualTo("the manager lost p but zone z3 still reaches it: only the manager's path is cut");
        assertThat(reached.evidence()).contains("from zone z2 (h2b): timed out", "from zone z3 (h3b): answered");

        Analysis confirmed = analyze(base.withVantages(List.of(VantageProbe.failed("z2", "h2b", Reach.TIMED_OUT, null),
                VantageProbe.failed("z3", "h3b", Reach.REFUSED, "Connection refused"))));
        assertThat(confirmed.code()).isEqualTo(AnalysisCode.DeadPrimaryAndSomeReplicas);
        assertThat(confirmed.evidence().getFirst()).contains("no replica can tell and every other zone's probe failed (z2, z3)");
    }

    @Test
    void replicasLostItButAnotherZoneReachesIt() {
        Analysis a = analyze(group(timedOut(), connecting(R2), connecting(R3)).withVantages(List.of(VantageProbe.answered("z3", "h3b"))));
        assertThat(a.code()).isEqualTo(AnalysisCode.PartitionedPrimary);
        assertThat(a.automatic()).isFalse();
        assertThat(a.evidence().getFirst()).endsWith("a partition, not a death; a failover would make two primaries");
    }

    @Test
    void aStalledVantageIsNoAnswer() {
        // SIGSTOP seen from everywhere: every zone's TCP is accepted, nobody gets a handshake
        GroupSnapshot s = group(stalled(), ReplicaView.builder(R2).source("p").build())
                .withVantages(List.of(VantageProbe.failed("z2", "h2b", Reach.STALLED, "read timed out")));
        assertThat(analyze(s).code()).isEqualTo(AnalysisCode.StalledPrimary);
    }

    @Test
    void analysisIsDeterministic() {
        GroupSnapshot s = group(timedOut(), connecting(R2), down(R3), streaming(R4, s(10)));
        assertThat(analyze(s)).isEqualTo(analyze(s));
    }
}
