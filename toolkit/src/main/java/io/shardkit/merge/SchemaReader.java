package io.shardkit.merge;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads table definitions from information_schema. The columns used exist with the same meaning in
 * MySQL 8 and MariaDB 10.2+, so this needs no flavor; GENERATION_EXPRESSION is empty, not NULL, for
 * ordinary columns on both.
 */
public final class SchemaReader {
    private SchemaReader() {}

    public static boolean databaseExists(Connection c, String database) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Base tables of a database, in name order. */
    public static List<String> tables(Connection c, String database) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Reads one table, or returns null when it does not exist. */
    public static TableSchema read(Connection c, String database, String table) throws SQLException {
        String engine;
        String collation;
        Long autoInc;
        long rows;
        long bytes;
        try (PreparedStatement ps = c.prepareStatement("SELECT ENGINE, TABLE_COLLATION, AUTO_INCREMENT, TABLE_ROWS, DATA_LENGTH"
                + " FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND TABLE_TYPE = 'BASE TABLE'")) {
            ps.setString(1, database);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return null;
                engine = rs.getString(1);
                collation = rs.getString(2);
                long ai = rs.getLong(3);
                autoInc = rs.wasNull() ? null : ai;
                rows = rs.getLong(4);
                bytes = rs.getLong(5);
            }
        }
        List<TableSchema.Column> columns = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, CHARACTER_SET_NAME, COLLATION_NAME,"
                + " GENERATION_EXPRESSION, EXTRA FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION")) {
            ps.setString(1, database);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String extra = rs.getString(7) == null ? "" : rs.getString(7).toUpperCase(java.util.Locale.ROOT);
                    String gen = extra.contains("GENERATED") || extra.contains("VIRTUAL") || extra.contains("PERSISTENT") || extra.contains("STORED")
                            ? rs.getString(6) : null;
                    columns.add(new TableSchema.Column(rs.getString(1), rs.getString(2), "YES".equals(rs.getString(3)), rs.getString(4), rs.getString(5), gen));
                }
            }
        }
        Map<String, List<String>> cols = new LinkedHashMap<>();
        Map<String, Boolean> unique = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT INDEX_NAME, NON_UNIQUE, COLUMN_NAME FROM information_schema.STATISTICS"
                + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX")) {
            ps.setString(1, database);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    cols.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(3));
                    unique.put(rs.getString(1), rs.getInt(2) == 0);
                }
            }
        }
        List<TableSchema.Index> indexes = new ArrayList<>();
        cols.forEach((name, list) -> indexes.add(new TableSchema.Index(name, unique.get(name), List.copyOf(list))));
        return new TableSchema(database, table, List.copyOf(columns), List.copyOf(indexes), engine, collation, autoInc, rows, bytes);
    }

    public static long countRows(Connection c, String database, String table) throws SQLException {
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM "
                + io.shardkit.mysql.SqlText.identifier(database) + "." + io.shardkit.mysql.SqlText.identifier(table))) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
