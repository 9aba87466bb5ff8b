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
     * A compared column as the row hash covers it: its type says what is hashed and read (FLOAT as
     * a DOUBLE, ENUM/SET by index and label: {@link io.shardkit.mysql.ColumnType}); strings carry
     * their length, nullable columns a NULL flag.
     */
    public record Column(String name, boolean nullable, io.shardkit.mysql.ColumnType type) {
        /** A column known only as string-like or not (an untyped spec, tests). */
        public Column(String name, boolean nullable, boolean string) {
            this(name, nullable, io.shardkit.mysql.ColumnType.of(name, string ? "text" : "bigint", null));
        }

        public boolean string() {
            return type.framedAsString();
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
