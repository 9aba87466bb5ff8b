package io.shardkit.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.mysql.KeyValues;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerifyLogicTest {
    static final TableSpec.SourceMap G2 = new TableSpec.SourceMap("g2", Map.of("id", 100_000L, "parent_id", 100_000L), Map.of());
    static final TableSpec.SourceMap S1 = new TableSpec.SourceMap("g1", Map.of(), Map.of("_shard", "g1"));
    static final TableSpec OFFSET = new TableSpec("db", "t", List.of("id"), List.of("id"), List.of("id", "parent_id", "v"), List.of(G2));
    static final TableSpec SHARD = new TableSpec("db", "t", List.of("id"), List.of("id", "_shard"), List.of("id", "v", "_shard"), List.of(S1));

    @Test
    void sourceSideComputesTheTargetRow() {
        Side s = Side.source(G2);
        List<TableSpec.Column> typed = List.of(new TableSpec.Column("id", false, false), new TableSpec.Column("parent_id", true, false), new TableSpec.Column("v", true, true));
        assertThat(RowHashSql.rowHash(s, typed)).isEqualTo("CAST(CONV(LEFT(SHA1(CONCAT_WS('#', (`id` + 100000), (`parent_id` + 100000), `v`,"
                + " CONCAT_WS(',', ISNULL((`parent_id` + 100000)), ISNULL(`v`)))), 16), 16, 10) AS UNSIGNED)");
        // every string's length but the last one's: nothing after the last string can hold the separator
        assertThat(RowHashSql.rowHash(Side.target(), List.of(new TableSpec.Column("a", false, true), new TableSpec.Column("n", false, false), new TableSpec.Column("b", false, true))))
                .isEqualTo("CAST(CONV(LEFT(SHA1(CONCAT_WS('#', `a`, `n`, `b`, CONCAT_WS(',', LENGTH(`a`)))), 16), 16, 10) AS UNSIGNED)");
        assertThat(RowHashSql.rowHash(Side.target(), List.of(new TableSpec.Column("id", false, false)))).isEqualTo("CAST(CONV(LEFT(SHA1(CONCAT_WS('#', `id`)), 16), 16, 10) AS UNSIGNED)");
        assertThat(RowHashSql.rowHash(Side.source(S1), SHARD.typed())).contains("'g1'");
        Span chunk = new Span(null, 200_000L, new Span.Bound(List.of(100_500L), false), new Span.Bound(List.of(100_900L), true));
        assertThat(RowHashSql.checksum(OFFSET, Side.target(), chunk))
                .isEqualTo("SELECT COUNT(*), COALESCE(SUM(" + RowHashSql.rowHash(Side.target(), OFFSET.typed()) + "), 0) FROM `db`.`t` WHERE `id` <= ? AND ((`id` > ?)) AND ((`id` <= ?))");
        assertThat(chunk.params(OFFSET, Side.source(G2))).containsExactly(100_000L, 500L, 900L);
        assertThat(RowHashSql.nibbleUnique(OFFSET, new Span(7L, null, null, null), 500))
                .isEqualTo("SELECT COUNT(*), COALESCE(SUM(_sk_h), 0), MAX(`id`) FROM (SELECT `id`, " + RowHashSql.rowHash(Side.target(), OFFSET.typed())
                        + " AS _sk_h FROM `db`.`t` WHERE `id` > ? ORDER BY `id` LIMIT 500) _sk_x");
    }

    @Test
    void aNibbleOverAShardColumnEndsBeforeTheRunOfItsLastKey() {
        String sql = RowHashSql.nibbleGeneral(SHARD, Span.ALL.from(new Span.Bound(List.of(10L), true)), 100);
        // ordered by the whole target key, ties counted against the last chunk key, next chunk starts at that key
        assertThat(sql).contains("WHERE ((`id` >= ?)) ORDER BY `id`, `_shard` LIMIT 100")
                .contains("LAST_VALUE(`id`) OVER _sk_w AS _sk_l0")
                .contains("SUM(CASE WHEN `id` = _sk_l0 THEN 1 ELSE 0 END)");
        assertThat(RowHashSql.where(SHARD, Span.ALL.until(new Span.Bound(List.of(10L), false)))).isEqualTo(" WHERE ((`id` < ?))");
    }

    @Test
    void adaptedChunksMoveTowardTheirTimeByAtMostAFactorOfTwo() {
        Verifier.Settings s = new Verifier.Settings(10_000, 4, 3, java.time.Duration.ofMillis(250));
        assertThat(s.next(10_000, 250_000_000L)).isEqualTo(10_000);
        assertThat(s.next(10_000, 50_000_000L)).isEqualTo(20_000);
        assertThat(s.next(10_000, 2_000_000_000L)).isEqualTo(5_000);
        assertThat(s.next(40_000, 1)).isEqualTo(50_000);
        assertThat(new Verifier.Settings(500, 4, 3).next(500, 1)).isEqualTo(500);
    }

    @Test
    void segmentsTileTheKeyLineAndCutEachIslandWhereRowsLie() {
        List<Span> s = Segments.of(List.of(new Segments.Interval(BigInteger.ONE, BigInteger.valueOf(100)),
                new Segments.Interval(BigInteger.valueOf(1_000_001), BigInteger.valueOf(1_000_100))), 4);
        assertThat(s).extracting(Span::segAfter).containsExactly(null, 25L, 50L, 75L, 100L, 1_000_025L, 1_000_050L, 1_000_075L, 1_000_100L);
        assertThat(s).extracting(Span::segAtMost).containsExactly(25L, 50L, 75L, 100L, 1_000_025L, 1_000_050L, 1_000_075L, 1_000_100L, null);
        assertThat(Segments.of(List.of(), 4)).containsExactly(Span.ALL);
        BigInteger top = new BigInteger("18446744073709551615");
        assertThat(Segments.of(List.of(new Segments.Interval(top, top)), 2)).extracting(Span::segAtMost).containsExactly(top, null);
    }

    @Test
    void targetBoundsShiftBackIntoEachSourcesKeys() {
        assertThat(Side.source(G2).bound("id", 100_007L)).isEqualTo(7L);
        assertThat(Side.source(G2).bound("v", 100_007L)).isEqualTo(100_007L);
        assertThat(Side.target().bound("id", 100_007L)).isEqualTo(100_007L);
        assertThat(Side.source(G2).bound("id", new BigInteger("18446744073709551615"))).isEqualTo(new BigInteger("18446744073709451615"));
    }

    @Test
    void aRowKeyBelongsOnlyToTheSourceItsShardColumnNames() {
        assertThat(Side.source(S1).ownKey(SHARD, List.of(5L, "g1"))).containsExactly(5L);
        assertThat(Side.source(S1).ownKey(SHARD, List.of(5L, "g2"))).isNull();
        assertThat(Side.source(S1).ownKeyColumns(SHARD)).containsExactly("id");
        assertThat(RowHashSql.rowsByKey(SHARD, Side.source(S1), 2)).endsWith("WHERE `id` IN (?, ?)");
        assertThat(RowHashSql.rowsByKey(SHARD, Side.target(), 1)).endsWith("WHERE ((`id` = ? AND `_shard` = ?))");
    }

    @Test
    void keysEncodeTheSameWhateverJdbcTypeCarriedThem() {
        assertThat(KeyValues.encode(List.of(7L))).isEqualTo(KeyValues.encode(List.of(BigInteger.valueOf(7)))).isEqualTo("[7]");
        assertThat(KeyValues.encode(List.of(new BigDecimal("5.20")))).isEqualTo(KeyValues.encode(List.of(new BigDecimal("5.2"))));
        String k = KeyValues.encode(Arrays.asList(new BigInteger("18446744073709551615"), "a\"b", new byte[] {1, 2}, LocalDateTime.of(2024, 1, 2, 3, 4, 5, 6000), null));
        List<Object> back = KeyValues.decode(k);
        assertThat(back.get(0)).isEqualTo(new BigInteger("18446744073709551615"));
        assertThat(back.get(1)).isEqualTo("a\"b");
        assertThat((byte[]) back.get(2)).containsExactly(1, 2);
        assertThat(back.get(3)).isEqualTo("2024-01-02 03:04:05.000006");
        assertThat(back.get(4)).isNull();
        assertThat(KeyValues.decode("[7]").getFirst()).isEqualTo(7L);
    }

    @Test
    void repairSqlInlinesValuesAsLiterals() {
        assertThat(Repair.render("INSERT INTO t (a, b, c) VALUES (?, ?, ?)", new Object[] {1L, "it's", null}))
                .isEqualTo("INSERT INTO t (a, b, c) VALUES (1, 'it''s', NULL);");
        assertThat(Repair.render("DELETE FROM t WHERE a = ?", new Object[] {new byte[] {(byte) 0xff}})).isEqualTo("DELETE FROM t WHERE a = X'ff';");
    }
}
