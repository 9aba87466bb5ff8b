package io.shardkit.merge;

import java.util.List;

/**
 * What the operator asked for. {@code tables} empty means every base table of the database;
 * {@code offsetColumns} are {@code table.column} names that reference an offset key and move with it.
 */
public record MergeRequest(String id, List<String> sources, String target, String database, List<String> tables,
                           KeyStrategy strategy, List<String> offsetColumns, String shardColumn) {
    public MergeRequest {
        sources = List.copyOf(sources);
        tables = tables == null ? List.of() : List.copyOf(tables);
        offsetColumns = offsetColumns == null ? List.of() : List.copyOf(offsetColumns);
        if (shardColumn == null || shardColumn.isBlank()) shardColumn = "_shard";
        if (database == null || database.isBlank()) throw new IllegalArgumentException("--database is required");
    }
}
