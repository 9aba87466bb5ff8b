package io.shardkit.rollback;

import io.shardkit.merge.KeyStrategy;
import io.shardkit.merge.Plan;
import io.shardkit.merge.RowMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The key strategy run backwards for one table: which source owns a target row, and the row as
 * that source stores it. Pure. Ownership is a function of the row wherever the strategy makes it
 * one (the shard column's value; the offset range an offset key falls in); otherwise (reject, or a
 * table whose key the offsets do not cover) the owner is whichever source holds or held the key,
 * which only the servers know: {@link #owner} returns null and {@link Owners} looks it up.
 */
public final class ReverseMapper {
    private final Plan.TablePlan table;
    private final KeyStrategy strategy;
    private final List<String> sources;
    private final String rangeColumn;
    private final long stride;

    public ReverseMapper(Plan plan, Plan.TablePlan table) {
        this.table = table;
        this.strategy = plan.strategy();
        this.sources = plan.sources().stream().map(Plan.Source::group).toList();
        long s = 0;
        if (strategy == KeyStrategy.OFFSET) for (long o : table.offsets().values()) if (o > 0) s = s == 0 ? o : Math.min(s, o);
        this.stride = s;
        this.rangeColumn = strategy == KeyStrategy.OFFSET && stride > 0
                ? table.rowKey().stream().filter(table.offsetColumns()::contains).findFirst().orElse(null) : null;
    }

    /** True when the owner must be looked up on the servers. */
    public boolean needsLookup() {
        return strategy != KeyStrategy.SHARD_COLUMN && rangeColumn == null;
    }

    /** The source that owns this target row, or null when only a lookup can tell ({@link #needsLookup}). */
    public String owner(Map<String, Object> targetRow) {
        if (strategy == KeyStrategy.SHARD_COLUMN) {
            Object shard = targetRow.get(table.shardColumn());
            if (shard == null || !sources.contains(shard.toString())) {
                throw new RowMapper.KeyConflict(table.table() + " row " + key(targetRow) + " names shard " + shard + " in " + table.shardColumn()
                        + ", which is not a source of this merge (" + String.join(", ", sources) + ")");
            }
            return shard.toString();
        }
        if (rangeColumn == null) return null;
        Object v = targetRow.get(rangeColumn);
        long n = ((Number) v).longValue();
        for (String s : sources) {
            long o = table.offsets().getOrDefault(s, 0L);
            if (n >= o && n < o + stride) return s;
        }
        throw new RowMapper.KeyConflict(table.table() + "." + rangeColumn + " = " + n + " on the target lies in no source's offset range (stride " + stride + ")");
    }

    /** The target row as {@code source} stores it: offsets taken off, the shard column dropped. */
    public Map<String, Object> sourceRow(String source, Map<String, Object> targetRow) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String c : table.copiedColumns()) out.put(c, unshift(source, c, targetRow.get(c)));
        return out;
    }

    /** The target row's key values in the source's key order (offsets taken off). */
    public Object[] sourceKey(String source, Map<String, Object> targetRow) {
        Object[] out = new Object[table.rowKey().size()];
        for (int i = 0; i < out.length; i++) out[i] = unshift(source, table.rowKey().get(i), targetRow.get(table.rowKey().get(i)));
        return out;
    }

    /** The target row's key, as the target orders it (the text the verify and the touched record use). */
    public List<Object> key(Map<String, Object> targetRow) {
        List<Object> out = new ArrayList<>();
        for (String c : table.rowKey()) out.add(targetRow.get(c));
        if (strategy == KeyStrategy.SHARD_COLUMN) out.add(targetRow.get(table.shardColumn()));
        return out;
    }

    /** The target's row key columns, in {@link #key} order. */
    public List<String> targetKeyColumns() {
        List<String> out = new ArrayList<>(table.rowKey());
        if (strategy == KeyStrategy.SHARD_COLUMN) out.add(table.shardColumn());
        return out;
    }

    public List<String> sourceColumns() {
        return table.copiedColumns();
    }

    public List<String> sourceKeyColumns() {
        return table.rowKey();
    }

    private Object unshift(String source, String column, Object v) {
        if (strategy != KeyStrategy.OFFSET || v == null || !table.offsetColumns().contains(column)) return v;
        long o = table.offsets().getOrDefault(source, 0L);
        long n = ((Number) v).longValue() - o;
        if (stride > 0 && (n < 0 || n >= stride)) {
            // a row written on the target that refers into another source's range cannot live on one source
            throw new RowMapper.KeyConflict(table.table() + "." + column + " = " + (n + o) + " does not lie in the offset range of " + source
                    + ", which owns this row: it cannot go back to one source");
        }
        return n;
    }
}
