package io.shardkit.merge.stream;

import java.util.Map;

/**
 * One row event from a source binlog, in shardkit's own terms (no Debezium type escapes this
 * package). Values are JDBC-ready Java objects; {@code before} is null for inserts, {@code after}
 * null for deletes. Row images are full (binlog_row_image=FULL).
 *
 * @param position the source's resume-safe offset after this event, opaque to callers
 * @param gtid     the transaction's GTID as the source wrote it, when known
 */
public record RowChange(String database, String table, Op op, Map<String, Object> before, Map<String, Object> after,
                        Map<String, Object> position, String gtid) {

    /** What happened to the row. */
    public enum Op { INSERT, UPDATE, DELETE }
}
