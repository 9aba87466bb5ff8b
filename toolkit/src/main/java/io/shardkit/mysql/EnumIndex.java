package io.shardkit.mysql;

/**
 * An ENUM value by its index (1-based; 0 is the invalid value a permissive sql_mode stores for a
 * string that is no member). Labels cannot stand for values: index 0 and a member '' share the
 * label '', and a label that looks like a number would be taken for an index. {@link RowWrites}
 * writes index 0 with a statement of its own, since no strict write accepts it.
 */
public record EnumIndex(int index) {
    public EnumIndex {
        if (index < 0 || index > 65535) throw new IllegalArgumentException("ENUM index out of range: " + index);
    }

    @Override
    public String toString() {
        return Integer.toString(index);
    }
}
