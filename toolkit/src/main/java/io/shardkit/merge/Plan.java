package io.shardkit.merge;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A stored merge plan: what will be copied from where to where, under which key strategy, and what
 * the planner measured. Serialized to JSON in the catalog; holds no secret.
 */
public record Plan(String id, Instant createdAt, String database, KeyStrategy strategy, List<Source> sources, Endpoint target,
                   List<TablePlan> tables, Estimate estimate) {

    /** A source group at planning time. */
    public record Source(String group, String primary, String address, String version, String gtidExecuted) {}

    /** The target group at planning time. */
    public record Endpoint(String group, String primary, String address, String version) {}

    /** One unique key's collisions across sources. */
    public record Collision(String key, long count, List<String> examples) {}

    /**
     * One table: its row key, the columns copied (generated ones are computed by the target), rows per
     * source, and the strategy's parameters.
     *
     * @param offsets       per source group, the value added to the offset columns (OFFSET only)
     * @param headroom      per source group, how far its largest key may still grow before reaching the next range
     * @param shardColumn   the added column (SHARD_COLUMN only)
     * @param targetAutoIncrementAtLeast the AUTO_INCREMENT the target must have after cutover (above every merged key)
     */
    public record TablePlan(String table, List<String> rowKey, List<String> copiedColumns, List<String> generatedColumns,
                            Map<String, Long> rowsPerSource, long bytes, List<Collision> collisions,
                            List<String> offsetColumns, Map<String, Long> offsets, Map<String, Long> headroom,
                            String shardColumn, Long targetAutoIncrementAtLeast) {}

    /** Size and time estimates; the rate is measured by reading a sample from the largest source table. */
    public record Estimate(long rows, long bytes, double sampledRowsPerSecond, double copySeconds) {}
}
