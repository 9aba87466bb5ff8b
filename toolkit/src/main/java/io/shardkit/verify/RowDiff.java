package io.shardkit.verify;

import io.shardkit.mysql.KeyValues;
import java.util.List;

/**
 * One row that differs, by its target row key. MISSING: a source has it, the target does not.
 * EXTRA: the target has it, no source does. DIFFERENT: both have it with other values.
 * DUPLICATE: more than one source has it (a key collision the plan did not foresee).
 *
 * @param source the source that owns the row (null for EXTRA)
 */
public record RowDiff(String table, List<Object> key, Kind kind, String source) {
    public enum Kind { MISSING, EXTRA, DIFFERENT, DUPLICATE }

    public String keyText() {
        return KeyValues.encode(key);
    }
}
