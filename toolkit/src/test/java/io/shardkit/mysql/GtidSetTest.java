package io.shardkit.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GtidSetTest {
    static final String A = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
    static final String B = "4f22ab58-82db-22f2-af44-d91bb0530673";

    @Test
    void mysqlParsesNormalizesAndFormats() {
        GtidSet s = GtidSet.parse(FlavorFamily.MYSQL, B + ":7, " + A.toUpperCase() + ":1-3:4-5:9,\n" + A + ":10");
        assertThat(s.format()).isEqualTo(A + ":1-5:9-10," + B + ":7");
        assertThat(GtidSet.parse(FlavorFamily.MYSQL, s.format())).isEqualTo(s);
        assertThat(GtidSet.parse(FlavorFamily.MYSQL, "").isEmpty()).isTrue();
    }

    @Test
    void mysqlContainsSubtractAndCount() {
        GtidSet big = MySqlGtidSet.parse(A + ":1-100," + B + ":1-5");
        GtidSet small = MySqlGtidSet.parse(A + ":1-40:50");
        assertThat(big.contains(small)).isTrue();
        assertThat(small.contains(big)).isFalse();
        assertThat(big.subtract(small).format()).isEqualTo(A + ":41-49:51-100," + B + ":1-5");
        assertThat(big.countMissingFrom(small)).isEqualTo(9 + 50 + 5);
        assertThat(small.subtract(big).isEmpty()).isTrue();
    }

    @Test
    void mysqlComparisonIsAPartialOrder() {
        GtidSet x = MySqlGtidSet.parse(A + ":1-10");
        GtidSet y = MySqlGtidSet.parse(A + ":1-12");
        GtidSet errant = MySqlGtidSet.parse(A + ":1-10," + B + ":1");
        assertThat(x.compare(x)).isEqualTo(GtidOrder.EQUAL);
        assertThat(y.compare(x)).isEqualTo(GtidOrder.AHEAD);
        assertThat(x.compare(y)).isEqualTo(GtidOrder.BEHIND);
        assertThat(errant.compare(y)).isEqualTo(GtidOrder.DIVERGED);
    }

    @Test
    void mysqlUnion() {
        MySqlGtidSet u = MySqlGtidSet.parse(A + ":1-3").union(MySqlGtidSet.parse(A + ":4-6," + B + ":2"));
        assertThat(u.format()).isEqualTo(A + ":1-6," + B + ":2");
    }

    @Test
    void mysqlRejectsGarbage() {
        assertThatThrownBy(() -> MySqlGtidSet.parse("nope:1")).hasMessageContaining("bad server UUID");
        assertThatThrownBy(() -> MySqlGtidSet.parse(A + ":x-3")).hasMessageContaining("bad interval");
        assertThatThrownBy(() -> MySqlGtidSet.parse(A + ":5-3")).hasMessageContaining("bad GTID interval");
    }

    @Test
    void mariadbComparesPerDomain() {
        GtidSet p = GtidSet.parse(FlavorFamily.MARIADB, "0-101-50,1-102-7");
        GtidSet r = GtidSet.parse(FlavorFamily.MARIADB, "0-101-45");
        assertThat(p.contains(r)).isTrue();
        assertThat(r.contains(p)).isFalse();
        assertThat(p.compare(r)).isEqualTo(GtidOrder.AHEAD);
        assertThat(p.countMissingFrom(r)).isEqualTo(5 + 7);
        assertThat(p.subtract(r).format()).isEqualTo("0-101-50,1-102-7");
        assertThat(r.subtract(p).isEmpty()).isTrue();
        // the server id of the last event does not matter for containment
        assertThat(GtidSet.parse(FlavorFamily.MARIADB, "0-102-50").compare(GtidSet.parse(FlavorFamily.MARIADB, "0-101-50"))).isEqualTo(GtidOrder.EQUAL);
    }

    @Test
    void mariadbDivergesAcrossDomains() {
        GtidSet a = MariaDbGtidSet.parse("0-1-10,1-1-3");
        GtidSet b = MariaDbGtidSet.parse("0-1-11,1-1-2");
        assertThat(a.compare(b)).isEqualTo(GtidOrder.DIVERGED);
    }

    @Test
    void mariadbUnionKeepsTheFurtherPositionPerDomain() {
        GtidSet a = MariaDbGtidSet.parse("0-1-10,1-1-3");
        GtidSet b = MariaDbGtidSet.parse("0-2-11,1-1-2,2-5-1");
        assertThat(a.union(b).format()).isEqualTo("0-2-11,1-1-3,2-5-1");
        assertThat(a.union(b).contains(a)).isTrue();
        assertThat(a.union(b).contains(b)).isTrue();
        assertThat(a.union(MariaDbGtidSet.parse("")).format()).isEqualTo(a.format());
    }

    @Test
    void mariadbRoundTripsAndRejectsGarbage() {
        assertThat(MariaDbGtidSet.parse(" 1-2-3 , 0-1-9 ").format()).isEqualTo("0-1-9,1-2-3");
        assertThatThrownBy(() -> MariaDbGtidSet.parse("0-1")).hasMessageContaining("domain-server-seq");
        assertThatThrownBy(() -> MariaDbGtidSet.parse("0-1-2,0-1-3")).hasMessageContaining("twice");
    }

    @Test
    void dialectsDoNotMix() {
        assertThatThrownBy(() -> MySqlGtidSet.parse(A + ":1").contains(MariaDbGtidSet.parse("0-1-1"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MariaDbGtidSet.parse("0-1-1").union(MySqlGtidSet.parse(A + ":1"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void binlogPositionsOrderBySequenceThenOffset() {
        assertThat(new BinlogPosition("binlog.000010", 4)).isGreaterThan(new BinlogPosition("binlog.000009", 999));
        assertThat(new BinlogPosition("binlog.000010", 4)).isLessThan(new BinlogPosition("binlog.000010", 5));
    }

    @Test
    void mariaDbDivergenceShowsADemotedPrimarysCommitThatPositionsHide() {
        // the old primary (server 201) committed 706 locally; the new primary took over after 705 and is at 0-202-900
        assertThat(MariaDbGtidSet.parse("0-202-900").contains(MariaDbGtidSet.parse("0-201-706"))).as("positions hide it").isTrue();
        assertThat(MariaDbGtidSet.divergent("0-201-706", "0-201-705,0-202-900")).containsExactly("0-201-706 (theirs ends at 0-201-705)");
        assertThat(MariaDbGtidSet.divergent("0-201-705", "0-201-705,0-202-900")).isEmpty();
        assertThat(MariaDbGtidSet.divergent("0-201-705,1-201-3", "0-201-705,0-202-900")).containsExactly("1-201-3");
    }
}
