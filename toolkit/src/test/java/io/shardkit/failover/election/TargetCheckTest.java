package io.shardkit.failover.election;

import static io.shardkit.failover.election.Candidates.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.mysql.MySqlGtidSet;
import io.shardkit.topology.PromotionRule;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --to INSTANCE}: a manual promote or switchover target. */
class TargetCheckTest {
    static final Candidate BEST = prefer("a", "h2", "z1", 100);
    static final Candidate MUST_NOT = replica("m", "h3", "z1", 100).promotion(PromotionRule.MUST_NOT).build();
    static final Candidate LAGGING = replica("l", "h4", "z1", 100).lag(s(120)).build();
    static final Candidate ERRANT = Candidate.builder("e", "h5", "z1").executed(MySqlGtidSet.parse(U1 + ":1-100," + U2 + ":1"))
            .errant(MySqlGtidSet.parse(U2 + ":1")).build();
    static final Candidate DOWN = Candidate.builder("d", "h6", "z1").unreachable().build();
    static final List<Candidate> ALL = List.of(BEST, MUST_NOT, LAGGING, ERRANT, DOWN, neutral("n", "h7", "z2", 100));

    @Test
    void aSoundTargetPasses() {
        TargetCheck c = Election.checkTarget("n", ALL, G1);
        assertThat(c.allowed()).isTrue();
        assertThat(c.message()).isEqualTo("promote n (the automatic election would pick a)");
        assertThat(Election.checkTarget("a", ALL, G1).message()).isEqualTo("promote a");
    }

    @Test
    void mustNotIsRefusedUnlessForced() {
        TargetCheck refused = Election.checkTarget("m", ALL, G1);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.message()).isEqualTo("refused: m: must not: the topology says it must never be primary; --force promotes it anyway"
                + " (the automatic election would pick a)");
        TargetCheck forced = Election.checkTarget("m", ALL, G1.forced());
        assertThat(forced.allowed()).isTrue();
        assertThat(forced.overridden()).extracting(Rejection::filter).containsExactly(Filter.MUST_NOT);
        assertThat(forced.message()).startsWith("promote m, forced past: must not:");
    }

    @Test
    void laggingIsRefusedUnlessForced() {
        assertThat(Election.checkTarget("l", ALL, G1).message()).startsWith("refused: l: lagging: lags 120 s (limit 60 s); --force promotes it anyway");
        assertThat(Election.checkTarget("l", ALL, G1.forced()).allowed()).isTrue();
    }

    @Test
    void errantIsRefusedUnlessForced() {
        TargetCheck refused = Election.checkTarget("e", ALL, G1);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.refusals()).extracting(Rejection::filter).containsExactly(Filter.ERRANT);
        assertThat(refused.message()).contains("errant: holds 1 transactions the old primary never had (" + U2 + ":1)");
        assertThat(Election.checkTarget("e", ALL, G1.forced()).allowed()).isTrue();
    }

    @Test
    void someRefusalsCannotBeForced() {
        TargetCheck down = Election.checkTarget("d", ALL, G1.forced());
        assertThat(down.allowed()).isFalse();
        assertThat(down.message()).startsWith("refused: d: unreachable: does not answer the manager (cannot be forced)");
        Candidate broken = replica("b", "h8", "z1", 100).promotion(PromotionRule.MUST_NOT).sqlThreadError("Error 1032").build();
        TargetCheck mixed = Election.checkTarget("b", List.of(BEST, broken), G1.forced());
        assertThat(mixed.allowed()).isFalse();
        assertThat(mixed.refusals()).extracting(Rejection::filter).containsExactly(Filter.SQL_THREAD_BROKEN);
        assertThat(mixed.overridden()).extracting(Rejection::filter).containsExactly(Filter.MUST_NOT);
        assertThat(mixed.message()).doesNotContain("--force promotes it anyway");
    }

    @Test
    void onlyReplicasOfTheGroupQualify() {
        assertThat(Election.checkTarget("x", ALL, G1.forced()).message())
                .startsWith("refused: x: not a candidate: not a replica of group g1 (replicas: a, m, l, e, d, n) (cannot be forced)");
        assertThat(Election.checkTarget("p", ALL, G1).message()).startsWith("refused: p: not a candidate: it is the old primary");
    }

    @Test
    void divergedSurvivorsRefuseAnyTargetUnlessForced() {
        Candidate a = Candidate.builder("a", "h2", "z1").executed(MySqlGtidSet.parse(U1 + ":1-100," + U2 + ":1")).build();
        Candidate b = neutral("b", "h3", "z1", 101);
        TargetCheck c = Election.checkTarget("b", List.of(a, b), G1);
        assertThat(c.allowed()).isFalse();
        assertThat(c.refusals()).extracting(Rejection::filter).containsExactly(Filter.DIVERGED);
        assertThat(Election.checkTarget("b", List.of(a, b), G1.forced()).allowed()).isTrue();
    }

    @Test
    void aReplicaViewBecomesACandidate() {
        var member = new io.shardkit.failover.analysis.Member("r2", "h2", "z2", PromotionRule.PREFER);
        var view = io.shardkit.failover.analysis.ReplicaView.builder(member).source("p")
                .io(io.shardkit.mysql.ReplicaStatus.ThreadState.CONNECTING, "error connecting")
                .sql(io.shardkit.mysql.ReplicaStatus.ThreadState.STOPPED, "Error 1062").executed(upTo(90)).received(upTo(95))
                .lag(s(3)).version("8.0.36").build();
        Candidate c = Candidate.of(view, MySqlGtidSet.parse(""));
        assertThat(c).isEqualTo(new Candidate("r2", "h2", "z2", PromotionRule.PREFER, true, "Error 1062", s(3), upTo(90), upTo(95), MySqlGtidSet.parse(""), "8.0.36"));
        assertThat(c.available()).isEqualTo(upTo(95));
        assertThat(c.hasErrant()).isFalse();
    }
}
