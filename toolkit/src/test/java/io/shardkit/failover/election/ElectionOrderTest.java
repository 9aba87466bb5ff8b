package io.shardkit.failover.election;

import io.shardkit.topology.ZonePolicy;
import static io.shardkit.failover.election.Candidates.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.topology.PromotionRule;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each comparator step deciding, against a loser that wins every later step (so a step skipped or
 * moved down the chain changes the winner).
 */
class ElectionOrderTest {

    static Loss.Outranked outranked(Ranking r, String instance) {
        assertThat(r.lossOf(instance)).isInstanceOf(Loss.Outranked.class);
        return (Loss.Outranked) r.lossOf(instance);
    }

    @Test
    void promotionRuleBeatsData() {
        // the rule: a prefer replica within the lag limit wins and catches up first
        Candidate preferLagging = replica("z-prefer", "h2", "z2", 80).promotion(PromotionRule.PREFER).lag(s(40)).version("8.4.2").build();
        Ranking r = Election.rank(List.of(preferLagging, neutral("a-neutral", "h3", "z1", 100)), G1);
        assertThat(r.winner()).map(Candidate::instance).contains("z-prefer");
        assertThat(outranked(r, "a-neutral").step()).isEqualTo(Step.PROMOTION_RULE);
        assertThat(r.lossOf("a-neutral").describe()).isEqualTo("ranked lower at promotion rule: neutral vs z-prefer's prefer");
        assertThat(r.topSummary()).isEqualTo("z-prefer: prefer, zone z2 (not the preferred zone), host h2 with 0 primaries, version 8.4, 20 transactions to catch up");
        assertThat(r.completeSources()).containsExactly("a-neutral");
    }

    @Test
    void preferNotLosesToNeutral() {
        Candidate preferNot = replica("a", "h2", "z1", 100).promotion(PromotionRule.PREFER_NOT).build();
        Ranking r = Election.rank(List.of(preferNot, neutral("b", "h3", "z2", 90)), G1);
        assertThat(r.winner()).map(Candidate::instance).contains("b");
        assertThat(outranked(r, "a").step()).isEqualTo(Step.PROMOTION_RULE);
    }

    @Test
    void preferBeyondTheLagLimitLosesToTheFreshNeutral() {
        Candidate preferLagging = replica("a", "h2", "z1", 100).promotion(PromotionRule.PREFER).lag(s(300)).build();
        Ranking r = Election.rank(List.of(preferLagging, neutral("b", "h3", "z1", 100)), G1);
        assertThat(r.winner()).map(Candidate::instance).contains("b");
        Ranking patient = Election.rank(List.of(preferLagging, neutral("b", "h3", "z1", 100)), G1.withMaxLag(s(600)));
        assertThat(patient.winner()).map(Candidate::instance).contains("a");
    }

    @Test
    void sameZonePreferredBeatsHostLoadVersionAndData() {
        Candidate home = replica("z-home", "h2", "z1", 90).version("8.4.0").build();
        Candidate away = neutral("a-away", "h3", "z2", 100);
        Ranking r = Election.rank(List.of(home, away), G1.withPrimariesPerHost(Map.of("h2", 2)));
        assertThat(r.winner()).map(Candidate::instance).contains("z-home");
        assertThat(r.lossOf("a-away").describe()).isEqualTo("ranked lower at zone: zone z2 (not the preferred zone) vs z-home's zone z1");
        // with no zone preference the host decides
        Ranking any = Election.rank(List.of(home, away), G1.withZonePolicy(ZonePolicy.ANY_ZONE).withPrimariesPerHost(Map.of("h2", 2)));
        assertThat(any.winner()).map(Candidate::instance).contains("a-away");
        assertThat(outranked(any, "z-home").step()).isEqualTo(Step.HOST_LOAD);
    }

    @Test
    void hostLoadBeatsVersionAndData() {
        Candidate busy = neutral("a-busy", "h2", "z1", 100);
        Candidate idle = replica("z-idle", "h3", "z1", 90).version("8.4.0").build();
        Ranking r = Election.rank(List.of(busy, idle), G1.withPrimariesPerHost(Map.of("h2", 1)));
        assertThat(r.winner()).map(Candidate::instance).contains("z-idle");
        assertThat(r.lossOf("a-busy").describe()).isEqualTo("ranked lower at host load: host h2 with 1 primaries vs z-idle's host h3 with 0 primaries");
    }

    @Test
    void lowestSeriesBeatsData() {
        Candidate newer = replica("a-newer", "h2", "z1", 100).version("8.4.3").build();
        Candidate older = replica("z-older", "h3", "z1", 90).version("8.0.40").build();
        Ranking r = Election.rank(List.of(newer, older), G1);
        assertThat(r.winner()).map(Candidate::instance).contains("z-older");
        assertThat(r.lossOf("a-newer").describe()).isEqualTo("ranked lower at version: version 8.4 vs z-older's version 8.0");
        // patch levels do not count: data decides
        Candidate patched = replica("z-patched", "h3", "z1", 90).version("8.0.41").build();
        Candidate base = replica("a-base", "h2", "z1", 100).version("8.0.40").build();
        assertThat(Election.rank(List.of(patched, base), G1).winner()).map(Candidate::instance).contains("a-base");
        // an unknown version ranks after every known one
        Candidate unknown = replica("a-unknown", "h2", "z1", 100).version(null).build();
        assertThat(Election.rank(List.of(unknown, older), G1).winner()).map(Candidate::instance).contains("z-older");
    }

    @Test
    void mariadbSeriesCompareToo() {
        Candidate eleven = Candidate.builder("a", "h2", "z1").executed(maria("0-1-100")).version("11.4.2-MariaDB").build();
        Candidate ten = Candidate.builder("b", "h3", "z1").executed(maria("0-1-90")).version("10.11.6-MariaDB-0+deb12u1").build();
        assertThat(Election.rank(List.of(eleven, ten), G1).winner()).map(Candidate::instance).contains("b");
    }

    @Test
    void dataDecidesRelayLogIncluded() {
        // z-relay executed less but received more: after its SQL thread applies its relay log it is the furthest
        Candidate relay = replica("z-relay", "h2", "z1", 90).received(upTo(105)).build();
        Candidate executed = neutral("a-executed", "h3", "z1", 100);
        Ranking r = Election.rank(List.of(relay, executed), G1);
        assertThat(r.winner()).map(Candidate::instance).contains("z-relay");
        assertThat(r.lossOf("a-executed").describe()).isEqualTo("ranked lower at data: 5 transactions to catch up vs z-relay's holds every survivor's transactions");
    }

    @Test
    void mariadbDataAcrossDomains() {
        Candidate a = Candidate.builder("z-a", "h2", "z1").executed(maria("0-1-100,1-2-50")).build();
        Candidate b = Candidate.builder("a-b", "h3", "z1").executed(maria("0-1-100,1-2-40")).received(maria("1-2-45")).build();
        Ranking r = Election.rank(List.of(a, b), G1);
        assertThat(r.winner()).map(Candidate::instance).contains("z-a");
        assertThat(r.lossOf("a-b").describe()).isEqualTo("ranked lower at data: 5 transactions to catch up vs z-a's holds every survivor's transactions");
    }

    @Test
    void nameIsTheLastResort() {
        Ranking r = Election.rank(List.of(neutral("c", "h4", "z1", 100), neutral("b", "h3", "z1", 100)), G1);
        assertThat(r.winner()).map(Candidate::instance).contains("b");
        assertThat(outranked(r, "c").step()).isEqualTo(Step.NAME);
        assertThat(Election.rank(List.of(neutral("b", "h3", "z1", 100), neutral("c", "h4", "z1", 100)), G1).winner())
                .map(Candidate::instance).contains("b");
    }

    @Test
    void theJournalLines() {
        Candidate mustNot = replica("d", "h5", "z1", 100).promotion(PromotionRule.MUST_NOT).build();
        Ranking r = Election.rank(List.of(neutral("c", "h4", "z2", 100), mustNot, prefer("b", "h3", "z2", 100)), G1);
        assertThat(r.lines()).containsExactly(
                "group g1: elect b: prefer, zone z2 (not the preferred zone), host h3 with 0 primaries, version 8.0, holds every survivor's transactions",
                "c: ranked lower at promotion rule: neutral vs b's prefer",
                "d: filtered: must not: the topology says it must never be primary",
                "note: survivors hold " + U1 + ":1-100 between them; catch-up sources: c, d, b; complete: c, d, b");
    }

    @Test
    void aDeadHostSpreadsItsGroupsNewPrimaries() {
        // g1 and g2 both lost their primary with host h1; each has a replica on h2 and one on h3, otherwise equal
        ElectionContext g2 = ElectionContext.of("g2", "q", "z1");
        List<Election.Ballot> ballots = List.of(
                new Election.Ballot(List.of(neutral("g1-b", "h2", "z1", 100), neutral("g1-c", "h3", "z1", 100)), G1),
                new Election.Ballot(List.of(neutral("g2-b", "h2", "z1", 50), neutral("g2-c", "h3", "z1", 50)), g2));
        List<Ranking> alone = ballots.stream().map(b -> Election.rank(b.candidates(), b.context())).toList();
        assertThat(alone).extracting(r -> r.winner().orElseThrow().host()).containsExactly("h2", "h2");

        List<Ranking> inTurn = Election.rankInTurn(Map.of(), ballots);
        assertThat(inTurn).extracting(r -> r.winner().orElseThrow().host()).containsExactly("h2", "h3");
        assertThat(inTurn.get(1).lossOf("g2-b").describe()).isEqualTo("ranked lower at host load: host h2 with 1 primaries vs g2-c's host h3 with 0 primaries");
        // primaries already elsewhere in the fleet count from the start
        assertThat(Election.rankInTurn(Map.of("h2", 1), ballots)).extracting(r -> r.winner().orElseThrow().host()).containsExactly("h3", "h2");
    }

    @Test
    void duplicatesAreAProgrammingError() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Election.rank(List.of(neutral("b", "h3", "z1", 1), neutral("b", "h3", "z1", 1)), G1))
                .hasMessageContaining("listed twice");
    }
}
