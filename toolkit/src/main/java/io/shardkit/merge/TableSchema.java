package io.shardkit.merge;

import java.util.List;
import java.util.Optional;

/** A table's shape as read from information_schema on one server; compared across sources by {@link SchemaDiff}. */
public record TableSchema(String database, String table, List<Column> columns, List<Index> indexes, String engine,
                          String collation, Long autoIncrement, long estimatedRows, long dataBytes) {

    /** One column; {@code generated} is the generation expression, null for ordinary columns. */
    public record Column(String name, String columnType, boolean nullable, String charset, String collation, String generated) {
        public boolean isGenerated() { return generated != null; }

        public boolean isInteger() {
            String t = columnType.toLowerCase(java.util.Locale.ROOT);
            return t.startsWith("tinyint") || t.startsWith("smallint") || t.startsWith("mediumint") || t.startsWith("int") || t.startsWith("bigint");
        }

        public boolean isText() { return charset != null; }

        /** How the column's values travel exactly (copy, stream, verify, repair). */
        public io.shardkit.mysql.ColumnType type() { return io.shardkit.mysql.ColumnType.of(name, columnType, charset); }
    }

    /** A primary or unique key (non-unique indexes are kept for the schema comparison only). */
    public record Index(String name, boolean unique, List<String> columns) {
        public boolean primary() { return name.equals("PRIMARY"); }
    }

    public Optional<Column> column(String name) {
        return columns.stream().filter(c -> c.name().equalsIgnoreCase(name)).findFirst();
    }

    /** The key rows are identified by: the primary key, else the first unique key over NOT NULL columns. */
    public Optional<Index> rowKey() {
        Optional<Index> pk = indexes.stream().filter(Index::primary).findFirst();
        if (pk.isPresent()) return pk;
        return indexes.stream().filter(Index::unique)
                .filter(i -> i.columns().stream().allMatch(c -> column(c).map(col -> !col.nullable()).orElse(false)))
                .findFirst();
    }

    public List<Index> uniqueKeys() {
        return indexes.stream().filter(Index::unique).toList();
    }

    public String qualified() {
        return database + "." + table;
    }
}
