package io.shardkit.failover.election;

import io.shardkit.topology.ZonePolicy;
import static io.shardkit.failover.election.Candidates.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.mysql.MySqlGtidSet;
import io.shardkit.topology.PromotionRule;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each filter, with the best candidate of the picture being the one filtered, so a broken filter elects it. */
class ElectionFiltersTest {

    static Loss.Filtered filtered(Ranking r, String instance) {
        assertThat(r.lossOf(instance)).isInstanceOf(Loss.Filtered.class);
        return (Loss.Filtered) r.lossOf(instance);
    }

    @Test
    void unreachable() {
        Ranking r = Election.rank(List.of(Candidate.builder("a", "h2", "z1").promotion(PromotionRule.PREFER).unreachable().build(), neutral("b", "h3", "z1", 100)), G1);
        assertThat(r.winner()).map(Candidate::instance).contains("b");
        assertThat(filtered(r, "a").describe()).isEqualTo("filtered: unreachable: does not answer the manager");
    }

    @Test
    void nobodyLeft() {
        Ranking none = Election.rank(List.of(), G1);
        assertThat(none.winner()).isEmpty();
        assertThat(none.lines()).containsExactly("group g1: no winner: no candidate passed the filters", "note: no survivor can serve a catch-up");
        Ranking allDown = Election.rank(List.of(Candidate.builder("a", "h2", "z1").unreachable().build()), G1);
        assertThat(allDown.blocked()).contains("no candidate passed the filters");
        assertThat(allDown.losses()).containsOnlyKeys("a");
    }

    @Test
    void otherDialect() {
        Candidate maria = Candidate.builder("a", "h2", "z1").promotion(PromotionRule.PREFER).executed(maria("0-1-100")).build();
        Ranking r = Election.rank(List.of(maria, neutral("b", "h3", "z1", 90), neutral("c", "h4", "z1", 90)), G1);
        assertThat(r.winner()).map(Candidate::instance).contains("b");
        assertThat(filtered(r, "a").filter()).isEqualTo(Filter.DIALECT);
        assertThat(filtered(r, "a").describe()).contains("reports MARIADB GTIDs, the group MYSQL ones");
    }

    @Test
    void brokenSqlThread() {
        Candidate broken = replica("a", "h2", "z1", 100).promotion(PromotionRule.PREFER).sqlThreadError("Error 1062 Duplicate entry").build();
        Ranking r = Election.rank(List.of(broken, neutral("b", "h3", "z1", 100)), G1);
        assertThat(r.winner()).map(Candidate::instance).contains("b");
        assertThat(filtered(r, "a").describe()).isEqualTo("filtered: sql thread broken: SQL thread stopped on an error (Error 1062 Duplicate entry): it cannot apply a catch-up");
    }

    @Test
    void mustNotIsNeverElectedEvenWhenMostAdvanced() {
        Candidate mustNot = replica("a", "h2", "z1", 120).promotion(PromotionRule.MUST_NOT).build();
        Ranking r = Election.rank(List.of(mustNot, neutral("b", "h3", "z2", 100)), G1);
        assertThat(r.winner()).map(Candidate::instance).contains("b");
        assertThat(filtered(r, "a").filter()).isEqualTo(Filter.MUST_NOT);
        // it still serves the catch-up: the winner gets its 20 transactions before promotion
        assertThat(r.completeSources()).containsExactly("a");
        assertThat(r.topSummary()).endsWith("20 transactions to catch up");
        // forcing an election does not override a placement rule the operator did not name
        assertThat(Election.rank(List.of(mustNot), G1.forced()).winner()).isEmpty();
        assertThat(Election.rank(List.of(mustNot), G1).blocked()).contains("no candidate passed the filters");
    }

    @Test
    void cutOffZone() {
        Ranking r = Election.rank(List.of(prefer("a", "h2", "z2", 100), neutral("b", "h3", "z3", 100)), G1.withCutOffZones(Set.of("z2")));
        assertThat(r.winner()).map(Candidate::instance).contains("b");
        assertThat(filtered(r, "a").describe()).isEqualTo("filtered: cut off zone: zone z2 is cut off from the rest");
    }

    @Test
    void aCutOffZoneServesNoCatchUp() {
        Ranking r = Election.rank(List.of(neutral("a", "h2", "z2", 130), neutral("b", "h3", "z3", 100)), G1.withCutOffZones(Set.of("z2")));
        assertThat(r.topSummary()).endsWith("holds every survivor's transactions");
        assertThat(r.notes()).contains("30 transactions are held only where catch-up cannot reach them: a (zone z2 cut off)");
    }

    @Test
    void sameZoneRequired() {
        ElectionContext required = G1.withZonePolicy(ZonePolicy.SAME_ZONE_REQUIRED);
        Ranking r = Election.rank(List.of(prefer("a", "h2", "z2", 100), neutral("b", "h3", "z1", 90)), required);
        assertThat(r.winner()).map(Candidate::instance).contains("b");
        assertThat(filtered(r, "a").describe()).isEqualTo("filtered: zone policy: zone z2, and the group requires the old primary's zone z1");
        assertThat(Election.rank(List.of(prefer("a", "h2", "z2", 100)), required).winner()).isEmpty();
    }

    @Test
    void laggingPastTheLimit() {
        Candidate lagging = replica("a", "h2", "z1", 100).promotion(PromotionRule.PREFER).lag(s(61)).build();
        Ranking r = Election.rank(List.of(lagging, neutral("b", "h3", "z1", 100)), G1);
        assertThat(r.winner()).map(Candidate::instance).contains("b");
        assertThat(filtered(r, "a").describe()).isEqualTo("filtered: lagging: lags 61 s (limit 60 s)");
        // at the limit it still competes
        Candidate atLimit = replica("a", "h2", "z1", 100).promotion(PromotionRule.PREFER).lag(s(60)).build();
        assertThat(Election.rank(List.of(atLimit, neutral("b", "h3", "z1", 100)), G1).winner()).map(Candidate::instance).contains("a");
    }

    @Test
    void unknownLagCompetesAndIsNoted() {
        Candidate unknown = replica("a", "h2", "z1", 100).promotion(PromotionRule.PREFER).lag(null).build();
        Ranking r = Election.rank(List.of(unknown, neutral("b", "h3", "z1", 100)), G1);
        assertThat(r.winner()).map(Candidate::instance).contains("a");
        assertThat(r.notes()).contains("a: lag unknown, not filtered");
    }

    @Test
    void errantBestCandidateIsBlockedUnlessForced() {
        Candidate errant = Candidate.builder("a", "h2", "z1").promotion(PromotionRule.PREFER)
                .executed(MySqlGtidSet.parse(U1 + ":1-100," + U2 + ":1-3")).errant(MySqlGtidSet.parse(U2 + ":1-3")).version("8.0.36").build();
        List<Candidate> all = List.of(errant, neutral("b", "h3", "z1", 100));
        Ranking r = Election.rank(all, G1);
        assertThat(r.winner()).map(Candidate::instance).contains("b");
        assertThat(filtered(r, "a").describe()).isEqualTo("filtered: errant: holds 3 transactions the old primary never had (" + U2
                + ":1-3): promoting it would ship them to every replica");
        // its errant transactions do not travel into the winner either
        assertThat(r.topSummary()).endsWith("holds every survivor's transactions");
        assertThat(r.notes()).anyMatch(n -> n.startsWith("3 transactions are held only where catch-up cannot reach them: a (errant"));

        Ranking forced = Election.rank(all, G1.forced());
        assertThat(forced.winner()).map(Candidate::instance).contains("a");
        assertThat(forced.notes()).contains("a competes with errant transactions " + U2 + ":1-3 (forced)");
    }

    @Test
    void unrecordedDivergenceBlocksTheElection() {
        Candidate a = Candidate.builder("a", "h2", "z1").executed(MySqlGtidSet.parse(U1 + ":1-100," + U2 + ":1")).build();
        Candidate b = neutral("b", "h3", "z1", 101);
        Ranking r = Election.rank(List.of(a, b), G1);
        assertThat(r.winner()).isEmpty();
        assertThat(r.blocked().orElseThrow()).startsWith("survivors diverged: a holds 1 transactions b lacks (" + U2 + ":1) and lacks 1 it holds (" + U1 + ":101)")
                .endsWith("inspect them, or force to merge both into the new primary");
        Ranking forced = Election.rank(List.of(a, b), G1.forced());
        assertThat(forced.winner()).isPresent();
        assertThat(forced.completeSources()).isEmpty();
        assertThat(forced.notes()).anyMatch(n -> n.startsWith("survivors diverged (forced, catch-up merges both)"));
    }

    @Test
    void aBrokenReplicasRelayLogIsOutOfReach() {
        Candidate broken = replica("a", "h2", "z1", 100).received(upTo(110)).sqlThreadError("Error 1146").build();
        Ranking r = Election.rank(List.of(broken, neutral("b", "h3", "z1", 95)), G1);
        assertThat(r.winner()).map(Candidate::instance).contains("b");
        assertThat(r.topSummary()).endsWith("5 transactions to catch up");
        assertThat(r.notes()).contains("10 transactions are held only where catch-up cannot reach them: a's relay log (SQL thread broken)");
    }
}
