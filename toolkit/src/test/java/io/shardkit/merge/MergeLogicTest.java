package io.shardkit.merge;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pure parts of merge planning: offset arithmetic, schema comparison, the k-way collision merge. */
class MergeLogicTest {

    @Test
    void strideIsAPowerOfTenWithGrowthRoom() {
        assertThat(OffsetMath.stride(0)).isEqualTo(1000);
        assertThat(OffsetMath.stride(3)).isEqualTo(1000);
        assertThat(OffsetMath.stride(250)).isEqualTo(1000);
        assertThat(OffsetMath.stride(251)).isEqualTo(10_000);
        assertThat(OffsetMath.stride(2_000_000)).isEqualTo(10_000_000);
        assertThat(OffsetMath.maxValue("int(11)")).isEqualTo(BigInteger.valueOf(Integer.MAX_VALUE));
        assertThat(OffsetMath.maxValue("int unsigned")).isEqualTo(BigInteger.valueOf(4294967295L));
        assertThat(OffsetMath.maxValue("bigint(20) unsigned")).isEqualTo(new BigInteger("18446744073709551615"));
        assertThat(OffsetMath.maxValue("tinyint(4)")).isEqualTo(BigInteger.valueOf(127));
    }

    static TableSchema table(String totalType, String collation) {
        return new TableSchema("db", "t", List.of(
                new TableSchema.Column("id", "int(11)", false, null, null, null),
                new TableSchema.Column("name", "varchar(20)", true, "utf8mb4", collation, null),
                new TableSchema.Column("total", totalType, true, null, null, null),
                new TableSchema.Column("twice", "int(11)", true, null, null, "`id` * 2")),
                List.of(new TableSchema.Index("PRIMARY", true, List.of("id"))), "InnoDB", "utf8mb4_general_ci", 5L, 4, 16384);
    }

    @Test
    void schemaDiffNamesEachDifferenceAndIgnoresQuotingOfGeneratedExpressions() {
        TableSchema a = table("decimal(10,2)", "utf8mb4_general_ci");
        assertThat(SchemaDiff.compare("g1", a, "g2", table("decimal(10,2)", "utf8mb4_general_ci"))).isEmpty();
        assertThat(SchemaDiff.compare("g1", a, "g2", table("decimal(12,2)", "utf8mb4_bin")))
                .containsExactly("t.name: collation utf8mb4_general_ci on g1, utf8mb4_bin on g2", "t.total: type decimal(10,2) on g1, decimal(12,2) on g2");
        TableSchema unquoted = new TableSchema("db", "t", List.of(a.columns().get(0), a.columns().get(1), a.columns().get(2),
                new TableSchema.Column("twice", "int(11)", true, null, null, "id * 2")), a.indexes(), "InnoDB", null, null, 0, 0);
        assertThat(SchemaDiff.compare("g1", a, "g2", unquoted)).isEmpty();
        assertThat(a.rowKey()).get().extracting(TableSchema.Index::name).isEqualTo("PRIMARY");
    }

    @Test
    void rowKeyFallsBackToANotNullUniqueKey() {
        TableSchema t = new TableSchema("db", "t", List.of(new TableSchema.Column("a", "int", true, null, null, null),
                new TableSchema.Column("b", "int", false, null, null, null)),
                List.of(new TableSchema.Index("ua", true, List.of("a")), new TableSchema.Index("ub", true, List.of("b"))), "InnoDB", null, null, 0, 0);
        assertThat(t.rowKey()).get().extracting(TableSchema.Index::name).isEqualTo("ub");
    }

    /** A sorted in-memory key stream. */
    static final class Keys implements CollisionScanner.KeyStream {
        final String source;
        final Iterator<Object[]> it;
        Object[] cur;

        Keys(String source, Object[]... keys) {
            this.source = source;
            this.it = List.of(keys).iterator();
        }

        @Override public String source() { return source; }
        @Override public boolean advance() { if (!it.hasNext()) return false; cur = it.next(); return true; }
        @Override public Object[] current() { return cur; }
        @Override public String display() { return String.valueOf(cur[0]); }
    }

    static Object[] k(long v) {
        return new Object[] {new BigDecimal(v)};
    }

    @Test
    void kWayMergeCountsEachSharedValueOnceWithItsSources() throws Exception {
        Plan.Collision c = CollisionScanner.merge("PRIMARY[id]", List.of(
                new Keys("g1", k(1), k(2), k(5), k(9)),
                new Keys("g2", k(2), k(3), k(9)),
                new Keys("g3", k(4), k(9), k(10))));
        assertThat(c.count()).isEqualTo(2);
        assertThat(c.examples()).containsExactly("2 in g1, g2", "9 in g1, g2, g3");
        assertThat(CollisionScanner.merge("k", List.of(new Keys("a", k(1)), new Keys("b")))).extracting(Plan.Collision::count).isEqualTo(0L);
    }

    @Test
    void byteKeysCompareUnsigned() {
        Object[] low = {new byte[] {0x01}};
        Object[] high = {new byte[] {(byte) 0xF0}};
        assertThat(CollisionScanner.compareKeys(low, high)).isNegative();
    }

    @Test
    void keysetPredicateIsSpelledOutForCompositeKeys() {
        assertThat(io.shardkit.mysql.KeyRange.after(List.of("id"))).isEqualTo("((`id` > ?))");
        assertThat(io.shardkit.mysql.KeyRange.after(List.of("a", "b", "c"))).isEqualTo("((`a` > ?) OR (`a` = ? AND `b` > ?) OR (`a` = ? AND `b` = ? AND `c` > ?))");
        assertThat(io.shardkit.mysql.KeyRange.params(List.of("1", "x", "9"))).containsExactly("1", "1", "x", "1", "x", "9");
    }
}
