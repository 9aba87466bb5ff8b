package io.shardkit.merge.stream;

import java.util.Map;

/**
 * One row event from a source binlog, in shardkit's own terms (no Debezium type escapes this
 * package). Values are JDBC-ready Java objects; {@code before} is null for inserts, {@code after}
 * null for deletes. Row images are full (binlog_row_image=FULL).
 *
 * @param position  the source's resume-safe offset after this event, opaque to callers
 * @param gtid      the transaction's GTID as the source wrote it, when known
 * @param uncertain columns of {@code after} whose value the binlog decoder could not carry (a zero,
 *                  partial-zero or invalid calendar date, which it turns into NULL): the applier
 *                  reads such a row again from its source instead of writing this image
 */
public record RowChange(String database, String table, Op op, Map<String, Object> before, Map<String, Object> after,
                        Map<String, Object> position, String gtid, java.util.Set<String> uncertain) {

    public RowChange(String database, String table, Op op, Map<String, Object> before, Map<String, Object> after, Map<String, Object> position, String gtid) {
        this(database, table, op, before, after, position, gtid, java.util.Set.of());
    }

    /** What happened to the row. */
    public enum Op { INSERT, UPDATE, DELETE }
}
