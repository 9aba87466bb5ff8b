package io.shardkit.merge.stream;

import java.util.List;

/**
 * Receives converted events in binlog order, one batch at a time. {@link #apply} returns only when
 * the batch is durable on the target (with its checkpoint); the stream then acknowledges it.
 * Events may arrive again after a restart: applying must be idempotent.
 */
public interface ChangeSink {
    void apply(String source, List<RowChange> rows, List<SchemaChange> ddl, java.util.Map<String, Object> lastPosition) throws Exception;
}
