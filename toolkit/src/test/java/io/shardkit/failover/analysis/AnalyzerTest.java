package io.shardkit.failover.analysis;

import static io.shardkit.failover.analysis.Snapshots.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.mysql.ReplicaStatus.ThreadState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One scenario per code, plus the traps that must not fail over. Companions: {@link AnalyzerTrapsTest}. */
class AnalyzerTest {

    @Test
    void healthyGroupHasNoProblem() {
        Analysis a = analyze(group(alive(), streaming(R2), streaming(R3)));
        assertThat(a.code()).isEqualTo(AnalysisCode.NoProblem);
        assertThat(a.action()).isEqualTo(Action.NONE);
        assertThat(a.evidence().getFirst()).isEqualTo("p answers and commits; 2 replicas stream from it");
        assertThat(a.evidence()).contains("r2: streaming, last heard 0.3 s ago; SQL thread running");
    }

    @Test
    void deadPrimaryWhenEveryReachableReplicaLostIt() {
        // one replica reconnects in vain, the other's IO thread still says Yes but heard nothing for 8 s
        ReplicaView silent = ReplicaView.builder(R3).streaming("p", s(8)).executed(primarySet()).build();
        Analysis a = analyze(group(timedOut(), connecting(R2), silent).withHost(HostAnswer.ANSWERS));
        assertThat(a.code()).isEqualTo(AnalysisCode.DeadPrimary);
        assertThat(a.automatic()).isTrue();
        assertThat(a.action()).isEqualTo(Action.FAILOVER);
        assertThat(a.evidence().getFirst()).isEqualTo("the manager lost p, r2, r3 lost it too and no replica streams");
        assertThat(a.evidence()).contains("r3: lost the primary: IO thread running but nothing heard for 8.0 s (limit 3.0 s); SQL thread running");
    }

    @Test
    void deadPrimaryAndSomeReplicas() {
        Analysis a = analyze(group(refused(), connecting(R2), down(R3), connecting(R4)));
        assertThat(a.code()).isEqualTo(AnalysisCode.DeadPrimaryAndSomeReplicas);
        assertThat(a.automatic()).isTrue();
        assertThat(a.evidence().getFirst()).endsWith("1 of 3 replicas do not answer either");
    }

    @Test
    void deadPrimaryWithoutReplicasWhenOtherZonesConfirmButNobodyIsLeft() {
        GroupSnapshot s = group(timedOut(), down(R2), down(R3))
                .withVantages(List.of(VantageProbe.failed("z2", "h2b", Reach.TIMED_OUT, "no route"), VantageProbe.failed("z3", "h3b", Reach.TIMED_OUT, null)));
        Analysis a = analyze(s);
        assertThat(a.code()).isEqualTo(AnalysisCode.DeadPrimaryWithoutReplicas);
        assertThat(a.automatic()).isFalse();
        assertThat(a.evidence().getFirst()).contains("every other zone's probe failed (z2, z3)").endsWith("nobody to promote");
        // a group of one: the same, nobody to promote
        assertThat(analyze(group(timedOut()).withVantages(List.of(VantageProbe.failed("z2", "h2b", Reach.TIMED_OUT, null)))).code())
                .isEqualTo(AnalysisCode.DeadPrimaryWithoutReplicas);
    }

    @Test
    void deadHostWhenThePrimaryTimesOutAndItsHostIsSilent() {
        Analysis a = analyze(group(timedOut(), connecting(R2), connecting(R3)).withHost(HostAnswer.SILENT));
        assertThat(a.code()).isEqualTo(AnalysisCode.DeadHost);
        assertThat(a.automatic()).isTrue();
        assertThat(a.evidence().getFirst()).endsWith("its host h1 does not run commands: the machine is gone");
        // a refusal comes from the host's kernel: the machine lives whatever exec says, so mysqld alone is dead
        assertThat(analyze(group(refused(), connecting(R2), connecting(R3)).withHost(HostAnswer.SILENT)).code()).isEqualTo(AnalysisCode.DeadPrimary);
        // and a silent host with no witness confirms nothing: the manager's path to it is the path that failed
        assertThat(analyze(group(timedOut(), down(R2), down(R3)).withHost(HostAnswer.SILENT)).code()).isEqualTo(AnalysisCode.UnconfirmedPrimaryFailure);
    }

    @Test
    void stalledPrimaryFailsOverOnlyWhenTheReplicasLostItToo() {
        // SIGSTOP: TCP accepted from the backlog, no handshake; the replicas' IO threads still say Yes
        Analysis early = analyze(group(stalled(), streaming(R2, ms(800)), streaming(R3, ms(900))));
        assertThat(early.code()).isEqualTo(AnalysisCode.StalledPrimaryReplicasConnected);
        assertThat(early.automatic()).isFalse();
        assertThat(early.evidence().getFirst()).isEqualTo("the manager sees p stalled but r2, r3 still stream from it: alive, no failover");

        Analysis later = analyze(group(stalled(), streaming(R2, s(6)), streaming(R3, s(7))));
        assertThat(later.code()).isEqualTo(AnalysisCode.StalledPrimary);
        assertThat(later.action()).isEqualTo(Action.FAILOVER);
        assertThat(later.automatic()).isTrue();
        assertThat(later.evidence().getFirst()).endsWith("fence it before promoting, it may resume");
    }

    @Test
    void aHangingCommitIsAStallButReadsAloneAreNot() {
        PrimaryProbe slowCommit = PrimaryProbe.answered(primarySet(), s(9));
        assertThat(analyze(group(slowCommit, streaming(R2), streaming(R3))).code()).isEqualTo(AnalysisCode.StalledPrimaryReplicasConnected);
        assertThat(analyze(group(slowCommit, streaming(R2, s(9)), connecting(R3))).code()).isEqualTo(AnalysisCode.StalledPrimary);
        // at the limit it is not a stall yet
        assertThat(analyze(group(PrimaryProbe.answered(primarySet(), s(5)), streaming(R2))).code()).isEqualTo(AnalysisCode.NoProblem);
        // no heartbeat written: nothing to judge a stall on
        assertThat(analyze(group(PrimaryProbe.answered(primarySet(), null), streaming(R2))).code()).isEqualTo(AnalysisCode.NoProblem);
    }

    @Test
    void primaryReadOnly() {
        Analysis a = analyze(group(PrimaryProbe.readOnly(primarySet(), true), streaming(R2), streaming(R3)));
        assertThat(a.code()).isEqualTo(AnalysisCode.PrimaryReadOnly);
        assertThat(a.automatic()).isFalse();
        assertThat(a.evidence().get(1)).contains("answered, super_read_only");
    }

    @Test
    void replicationStoppedWhileThePrimaryIsFine() {
        ReplicaView broken = ReplicaView.builder(R3).source("p").io(ThreadState.RUNNING, null).sql(ThreadState.STOPPED, "Error 'Duplicate entry' on query")
                .heard(ms(200)).executed(primarySet()).build();
        Analysis a = analyze(group(alive(), streaming(R2), broken));
        assertThat(a.code()).isEqualTo(AnalysisCode.ReplicationStopped);
        assertThat(a.evidence().getFirst()).isEqualTo("r3 do not replicate from p; the primary is fine");
        assertThat(a.evidence()).contains("r3: streaming, last heard 0.2 s ago; SQL thread stopped (Error 'Duplicate entry' on query)");
        // replicas that cannot reach a primary the manager reaches: their problem, not the primary's
        assertThat(analyze(group(alive(), connecting(R2), connecting(R3))).code()).isEqualTo(AnalysisCode.ReplicationStopped);
        // a member that follows nobody
        assertThat(analyze(group(alive(), streaming(R2), ReplicaView.builder(R3).build())).code()).isEqualTo(AnalysisCode.ReplicationStopped);
    }

    @Test
    void errantGtidMySql() {
        ReplicaView errant = ReplicaView.builder(R3).streaming("p", ms(100)).executed(my(U1 + ":1-100," + U2 + ":1-2")).build();
        Analysis a = analyze(group(alive(), streaming(R2), errant));
        assertThat(a.code()).isEqualTo(AnalysisCode.ErrantGtid);
        assertThat(a.evidence().getFirst()).isEqualTo("replicas hold transactions the primary lacks: r3 (2: " + U2 + ":1-2)");
        // behind the primary is not errant
        ReplicaView behind = ReplicaView.builder(R3).streaming("p", ms(100)).executed(my(U1 + ":1-90")).build();
        assertThat(analyze(group(alive(), streaming(R2), behind)).code()).isEqualTo(AnalysisCode.NoProblem);
    }

    @Test
    void errantGtidMariaDb() {
        PrimaryProbe primary = PrimaryProbe.answered(maria("0-1-500"), ms(3));
        ReplicaView ok = ReplicaView.builder(R2).streaming("p", ms(100)).executed(maria("0-1-498")).build();
        ReplicaView errant = ReplicaView.builder(R3).streaming("p", ms(100)).executed(maria("0-1-500,7-3-2")).build();
        Analysis a = analyze(group(primary, ok, errant));
        assertThat(a.code()).isEqualTo(AnalysisCode.ErrantGtid);
        assertThat(a.evidence().getFirst()).isEqualTo("replicas hold transactions the primary lacks: r3 (2: 7-3-2)");
        assertThat(analyze(group(primary, ok)).code()).isEqualTo(AnalysisCode.NoProblem);
    }

    @Test
    void mixedDialectsAreInconsistent() {
        ReplicaView maria = ReplicaView.builder(R3).streaming("p", ms(100)).executed(maria("0-1-5")).build();
        Analysis a = analyze(group(alive(), streaming(R2), maria));
        assertThat(a.code()).isEqualTo(AnalysisCode.InconsistentTopology);
        assertThat(a.evidence().getFirst()).isEqualTo("r3 reports MARIADB GTIDs, the primary MYSQL ones: these cannot be one group");
    }

    @Test
    void allReplicasLagging() {
        ReplicaView l2 = ReplicaView.builder(R2).streaming("p", ms(100)).lag(s(45)).build();
        ReplicaView l3 = ReplicaView.builder(R3).streaming("p", ms(100)).lag(s(31)).build();
        Analysis a = analyze(group(alive(), l2, l3));
        assertThat(a.code()).isEqualTo(AnalysisCode.AllReplicasLagging);
        assertThat(a.evidence()).contains("lagging past 30.0 s: r2 45.0 s, r3 31.0 s");
        ReplicaView fresh = ReplicaView.builder(R3).streaming("p", ms(100)).lag(s(30)).build();
        assertThat(analyze(group(alive(), l2, fresh)).code()).isEqualTo(AnalysisCode.NoProblem);
    }

    @Test
    void replicasUnreachable() {
        Analysis a = analyze(group(alive(), streaming(R2), down(R3)));
        assertThat(a.code()).isEqualTo(AnalysisCode.ReplicasUnreachable);
        assertThat(a.evidence()).contains("r3: does not answer the manager (connect timed out)");
    }

    @Test
    void extraWritableIsFencedUnattended() {
        ReplicaView writableReplica = ReplicaView.builder(R3).streaming("p", ms(100)).writable(true).build();
        Analysis a = analyze(group(alive(), streaming(R2), writableReplica));
        assertThat(a.code()).isEqualTo(AnalysisCode.ExtraWritable);
        assertThat(a.action()).isEqualTo(Action.FENCE_ONLY);
        assertThat(a.automatic()).isTrue();
        assertThat(a.evidence().getFirst()).isEqualTo("besides the primary p, r3 accept writes: fence them");
    }

    @Test
    void aRivalPrimaryMakesTheTopologyInconsistent() {
        ReplicaView rival = ReplicaView.builder(R3).writable(true).build();
        Analysis lost = analyze(group(timedOut(), connecting(R2), rival));
        assertThat(lost.code()).isEqualTo(AnalysisCode.InconsistentTopology);
        assertThat(lost.automatic()).isFalse();
        assertThat(lost.evidence().getFirst()).contains("r3 accept writes and replicate from nobody: another primary may exist already");
        assertThat(analyze(group(PrimaryProbe.readOnly(primarySet(), false), streaming(R2), rival)).code()).isEqualTo(AnalysisCode.InconsistentTopology);
    }

    @Test
    void aLockedGroupDefersItsProblem() {
        Analysis a = analyze(group(timedOut(), connecting(R2), connecting(R3)).lockedBy("cutover m1"));
        assertThat(a.code()).isEqualTo(AnalysisCode.GroupLocked);
        assertThat(a.action()).isEqualTo(Action.WAIT);
        assertThat(a.evidence().getFirst()).isEqualTo("group lock held by cutover m1: DeadPrimary deferred until it is released");
        // a frozen cutover source is read-only: expected while the lock is held
        assertThat(analyze(group(PrimaryProbe.readOnly(primarySet(), false), streaming(R2)).lockedBy("cutover m1")).code()).isEqualTo(AnalysisCode.GroupLocked);
        assertThat(analyze(group(alive(), streaming(R2)).lockedBy("cutover m1")).code()).isEqualTo(AnalysisCode.NoProblem);
    }

    @Test
    void theActionTable() {
        assertThat(java.util.Arrays.stream(AnalysisCode.values()).filter(AnalysisCode::automatic)).containsExactlyInAnyOrder(
                AnalysisCode.DeadPrimary, AnalysisCode.DeadPrimaryAndSomeReplicas, AnalysisCode.DeadHost, AnalysisCode.StalledPrimary,
                AnalysisCode.ExtraWritable);
        assertThat(AnalysisCode.UnreachablePrimary.action()).isEqualTo(Action.ALERT);
        assertThat(AnalysisCode.UnconfirmedPrimaryFailure.action()).isEqualTo(Action.FAILOVER);
        for (AnalysisCode c : AnalysisCode.values()) assertThat(c.action()).isNotNull();
    }

    @Test
    void theAnalysisWritesAsJson() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper().findAndRegisterModules()
                .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .writeValueAsString(analyze(group(timedOut(), connecting(R2))));
        assertThat(json).startsWith("{\"group\":\"g1\",\"code\":\"DeadPrimary\",\"at\":\"2025-03-01T10:00:00Z\",\"evidence\":[\"the manager lost p");
    }

    @Test
    void settingsAreValidated() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new AnalysisSettings(s(1), 1, s(5), s(30))).hasMessageContaining("at least 2");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new AnalysisSettings(s(0), 3, s(5), s(30))).hasMessageContaining("heartbeat period");
        assertThat(AnalysisSettings.DEFAULT.silenceLimit()).isEqualTo(s(3));
    }
}
