package io.shardkit.verify;

import java.util.List;
import java.util.Map;

/**
 * One table compared N sources to one target: the target's columns and keys, and how each source's
 * rows map onto them. Chunks are ranges of {@code chunkKey} on the target; rows are identified by
 * {@code rowKey} (the chunk key plus any column a source fills with a constant, such as a shard column).
 *
 * @param columns the target columns compared, in a fixed order
 */
public record TableSpec(String database, String table, List<String> chunkKey, List<String> rowKey, List<String> columns, List<SourceMap> sources,
                        List<Column> typed) {

    public TableSpec(String database, String table, List<String> chunkKey, List<String> rowKey, List<String> columns, List<SourceMap> sources) {
        this(database, table, chunkKey, rowKey, columns, sources, columns.stream().map(c -> new Column(c, true, true)).toList());
    }

    /**
     * A compared column as the row hash frames it: strings carry their length, nullable columns a
     * NULL flag, FLOAT columns are read through {@link io.shardkit.mysql.SqlText#exact}.
     */
    public record Column(String name, boolean nullable, boolean string, boolean floating) {
        public Column(String name, boolean nullable, boolean string) {
            this(name, nullable, string, false);
        }
    }

    /** This table with the target's column types (until then every column is framed as a nullable string: correct, slower). */
    public TableSpec withTypes(List<Column> types) {
        return new TableSpec(database, table, chunkKey, rowKey, columns, sources, types);
    }

    /**
     * How one source's rows become target rows: some columns have a constant added (offset keys and
     * the columns referencing them), some target columns hold a constant (the source's shard name).
     */
    public record SourceMap(String group, Map<String, Long> shifts, Map<String, String> constants) {}
}
