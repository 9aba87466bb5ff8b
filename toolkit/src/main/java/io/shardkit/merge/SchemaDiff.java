package io.shardkit.merge;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Differences between one table's definition on a reference source and on another source. Pure. */
public final class SchemaDiff {
    private SchemaDiff() {}

    public static List<String> compare(String refName, TableSchema ref, String otherName, TableSchema other) {
        List<String> out = new ArrayList<>();
        String t = ref.table();
        List<String> refCols = ref.columns().stream().map(TableSchema.Column::name).toList();
        List<String> otherCols = other.columns().stream().map(TableSchema.Column::name).toList();
        if (!refCols.equals(otherCols)) {
            out.add(t + ": columns differ: " + refName + " has " + refCols + ", " + otherName + " has " + otherCols);
        }
        for (TableSchema.Column a : ref.columns()) {
            TableSchema.Column b = other.column(a.name()).orElse(null);
            if (b == null) continue;
            if (!a.columnType().equalsIgnoreCase(b.columnType())) out.add(t + "." + a.name() + ": type " + a.columnType() + " on " + refName + ", " + b.columnType() + " on " + otherName);
            if (a.nullable() != b.nullable()) out.add(t + "." + a.name() + ": " + (a.nullable() ? "NULL" : "NOT NULL") + " on " + refName + ", " + (b.nullable() ? "NULL" : "NOT NULL") + " on " + otherName);
            if (!Objects.equals(a.charset(), b.charset())) out.add(t + "." + a.name() + ": charset " + a.charset() + " on " + refName + ", " + b.charset() + " on " + otherName);
            if (!Objects.equals(a.collation(), b.collation())) out.add(t + "." + a.name() + ": collation " + a.collation() + " on " + refName + ", " + b.collation() + " on " + otherName);
            if (!Objects.equals(norm(a.generated()), norm(b.generated()))) {
                out.add(t + "." + a.name() + ": generated as " + (a.generated() == null ? "(not generated)" : a.generated()) + " on " + refName + ", "
                        + (b.generated() == null ? "(not generated)" : b.generated()) + " on " + otherName);
            }
        }
        if (!ref.indexes().equals(other.indexes())) {
            out.add(t + ": keys differ: " + describe(ref) + " on " + refName + ", " + describe(other) + " on " + otherName);
        }
        return out;
    }

    private static String norm(String expr) {
        return expr == null ? null : expr.replace("`", "").replaceAll("\\s+", "").toLowerCase(java.util.Locale.ROOT);
    }

    private static String describe(TableSchema s) {
        return s.indexes().stream().map(i -> (i.unique() ? "UNIQUE " : "") + i.name() + i.columns()).toList().toString();
    }
}
