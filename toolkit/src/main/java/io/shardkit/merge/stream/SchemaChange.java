package io.shardkit.merge.stream;

import java.util.Map;

/**
 * A DDL statement seen on a source; a merge pauses on one touching its tables.
 * {@code snapshot} marks the schema Debezium reads at start, which is not a change.
 */
public record SchemaChange(String database, String ddl, boolean snapshot, Map<String, Object> position) {}
