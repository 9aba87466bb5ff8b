package io.shardkit.merge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The key strategy applied to one source's rows of one table: which columns are written, and how
 * values move (offset added, shard column set). Pure; shared by the copy and the stream.
 */
public final class RowMapper {
    private final Plan.TablePlan table;
    private final String source;
    private final KeyStrategy strategy;
    private final long offset;
    private final long stride;

    public RowMapper(Plan plan, Plan.TablePlan table, String source) {
        this.table = table;
        this.source = source;
        this.strategy = plan.strategy();
        this.offset = strategy == KeyStrategy.OFFSET ? table.offsets().getOrDefault(source, 0L) : 0;
        long s = 0;
        if (strategy == KeyStrategy.OFFSET) {
            for (long o : table.offsets().values()) if (o > 0) s = s == 0 ? o : Math.min(s, o);
        }
        this.stride = s;
    }

    /** Columns written on the target, in order: the copied ones, then the shard column. */
    public List<String> targetColumns() {
        List<String> cols = new ArrayList<>(table.copiedColumns());
        if (strategy == KeyStrategy.SHARD_COLUMN) cols.add(table.shardColumn());
        return cols;
    }

    /** Row key columns on the source. */
    public List<String> sourceKey() {
        return table.rowKey();
    }

    /** Row key columns on the target. */
    public List<String> targetKey() {
        List<String> cols = new ArrayList<>(table.rowKey());
        if (strategy == KeyStrategy.SHARD_COLUMN) cols.add(table.shardColumn());
        return cols;
    }

    /** Source row (column to value) to target values in {@link #targetColumns()} order. */
    public Object[] values(Map<String, Object> row) {
        List<String> cols = targetColumns();
        Object[] out = new Object[cols.size()];
        for (int i = 0; i < table.copiedColumns().size(); i++) {
            String c = table.copiedColumns().get(i);
            out[i] = shift(c, row.get(c));
        }
        if (strategy == KeyStrategy.SHARD_COLUMN) out[cols.size() - 1] = source;
        return out;
    }

    /** Source row to target key values in {@link #targetKey()} order. */
    public Object[] key(Map<String, Object> row) {
        List<String> cols = targetKey();
        Object[] out = new Object[cols.size()];
        for (int i = 0; i < table.rowKey().size(); i++) {
            String c = table.rowKey().get(i);
            out[i] = shift(c, row.get(c));
        }
        if (strategy == KeyStrategy.SHARD_COLUMN) out[cols.size() - 1] = source;
        return out;
    }

    Object shift(String column, Object v) {
        if (offset == 0 && stride == 0 || v == null || !table.offsetColumns().contains(column)) return v;
        long n = ((Number) v).longValue();
        if (stride > 0 && n >= stride) {
            throw new KeyConflict(table.table() + "." + column + " = " + n + " on " + source + " has outgrown its offset range (stride " + stride + ")");
        }
        return n + offset;
    }

    /** A row that cannot be placed without overwriting another source's range. */
    public static final class KeyConflict extends RuntimeException {
        public KeyConflict(String message) {
            super(message);
        }
    }

    static Map<String, Object> asMap(List<String> cols, Object[] values) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < cols.size(); i++) m.put(cols.get(i), values[i]);
        return m;
    }
}
