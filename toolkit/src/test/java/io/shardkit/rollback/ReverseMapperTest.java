package io.shardkit.rollback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardkit.merge.KeyStrategy;
import io.shardkit.merge.Plan;
import io.shardkit.merge.RowMapper;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The key strategies run backwards: who owns a target row, and the row as its source stores it. */
class ReverseMapperTest {
    static Plan plan(KeyStrategy strategy, Map<String, Long> offsets) {
        Plan.TablePlan t = new Plan.TablePlan("orders", List.of("id"), List.of("id", "customer_id", "note"), List.of(), Map.of(), 0, List.of(),
                strategy == KeyStrategy.OFFSET ? List.of("id", "customer_id") : List.of(), offsets, Map.of(),
                strategy == KeyStrategy.SHARD_COLUMN ? "_shard" : null, null);
        List<Plan.Source> sources = List.of(new Plan.Source("g1", "i1", "a", "v", ""), new Plan.Source("g2", "i2", "a", "v", ""), new Plan.Source("g3", "i3", "a", "v", ""));
        return new Plan("p", Instant.EPOCH, "db", strategy, sources, new Plan.Endpoint("g9", "i9", "a", "v"), List.of(t), null);
    }

    static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    @Test
    void offsetRangesNameTheOwnerAndTheOffsetComesOff() {
        Plan p = plan(KeyStrategy.OFFSET, Map.of("g1", 0L, "g2", 1000L, "g3", 2000L));
        ReverseMapper m = new ReverseMapper(p, p.tables().getFirst());
        assertThat(m.needsLookup()).isFalse();
        Map<String, Object> r = row("id", 1042L, "customer_id", 1007L, "note", "x");
        assertThat(m.owner(r)).isEqualTo("g2");
        assertThat(m.sourceRow("g2", r)).containsExactly(Map.entry("id", 42L), Map.entry("customer_id", 7L), Map.entry("note", "x"));
        assertThat(m.sourceKey("g2", r)).containsExactly(42L);
        assertThat(m.owner(row("id", 999L, "customer_id", 1L, "note", null))).isEqualTo("g1");
        assertThat(m.owner(row("id", 2999L, "customer_id", 2001L, "note", null))).isEqualTo("g3");
        // a new target row above every range, and one that refers into another source's range: neither can go back
        assertThatThrownBy(() -> m.owner(row("id", 3000L))).isInstanceOf(RowMapper.KeyConflict.class).hasMessageContaining("orders.id = 3000").hasMessageContaining("no source's offset range");
        assertThatThrownBy(() -> m.sourceRow("g2", row("id", 1001L, "customer_id", 5L, "note", null)))
                .isInstanceOf(RowMapper.KeyConflict.class).hasMessageContaining("customer_id = 5 does not lie in the offset range of g2");
    }

    @Test
    void theShardColumnNamesTheOwnerAndIsDropped() {
        Plan p = plan(KeyStrategy.SHARD_COLUMN, Map.of());
        ReverseMapper m = new ReverseMapper(p, p.tables().getFirst());
        Map<String, Object> r = row("id", 5L, "customer_id", 9L, "note", "n", "_shard", "g3");
        assertThat(m.owner(r)).isEqualTo("g3");
        assertThat(m.sourceRow("g3", r)).containsOnlyKeys("id", "customer_id", "note");
        assertThat(m.key(r)).containsExactly(5L, "g3");
        assertThatThrownBy(() -> m.owner(row("id", 5L, "_shard", "g7"))).isInstanceOf(RowMapper.KeyConflict.class)
                .hasMessageContaining("names shard g7 in _shard, which is not a source of this merge (g1, g2, g3)");
    }

    @Test
    void rejectNeedsALookup() {
        Plan p = plan(KeyStrategy.REJECT, Map.of());
        ReverseMapper m = new ReverseMapper(p, p.tables().getFirst());
        assertThat(m.needsLookup()).isTrue();
        assertThat(m.owner(row("id", 5L))).isNull();
        assertThat(m.sourceRow("g1", row("id", 5L, "customer_id", 3L, "note", "n"))).containsEntry("customer_id", 3L);
    }
}
