package io.shardkit.mysql;

import static io.shardkit.mysql.SqlText.identifier;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * Writes rows by key. Writes are state-setting (full after-image upserts, deletes by key),
 * so applying the same event again, or an older event followed by the newer ones, converges to the
 * same rows: this is what makes at-least-once delivery safe.
 */
public final class RowWrites {
    private RowWrites() {}

    public static String upsertSql(String db, String table, List<String> cols, int rows) {
        StringBuilder sb = new StringBuilder("INSERT INTO ").append(identifier(db)).append('.').append(identifier(table)).append(" (");
        sb.append(String.join(", ", cols.stream().map(io.shardkit.mysql.SqlText::identifier).toList())).append(") VALUES ");
        String tuple = "(" + String.join(", ", java.util.Collections.nCopies(cols.size(), "?")) + ")";
        for (int i = 0; i < rows; i++) sb.append(i == 0 ? "" : ", ").append(tuple);
        // VALUES() is deprecated from MySQL 8.0.20 but the row-alias form does not exist before 8.0.19
        sb.append(" ON DUPLICATE KEY UPDATE ");
        sb.append(String.join(", ", cols.stream().map(c -> identifier(c) + " = VALUES(" + identifier(c) + ")").toList()));
        return sb.toString();
    }

    public static String insertIgnoreSql(String db, String table, List<String> cols) {
        return "INSERT IGNORE INTO " + identifier(db) + "." + identifier(table) + " ("
                + String.join(", ", cols.stream().map(io.shardkit.mysql.SqlText::identifier).toList()) + ") VALUES ("
                + String.join(", ", java.util.Collections.nCopies(cols.size(), "?")) + ")";
    }

    public static String deleteSql(String db, String table, List<String> key) {
        return "DELETE FROM " + identifier(db) + "." + identifier(table) + " WHERE "
                + String.join(" AND ", key.stream().map(c -> identifier(c) + " = ?").toList());
    }

    private static final java.time.format.DateTimeFormatter DATETIME = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    /**
     * Temporal values travel as text: MariaDB announces itself as "5.5.5-10.x" in the handshake and
     * Connector/J then drops fractional seconds from LocalDateTime parameters.
     */
    public static void bind(PreparedStatement ps, int i, Object v) throws SQLException {
        if (v instanceof java.time.LocalDateTime t) ps.setString(i, DATETIME.format(t));
        else if (v instanceof java.time.LocalTime t) ps.setString(i, t.toString());
        else if (v instanceof java.math.BigInteger b) ps.setBigDecimal(i, new java.math.BigDecimal(b)); // BIGINT UNSIGNED above 2^63
        else ps.setObject(i, v);
    }

    /**
     * One single-row statement, batched: Connector/J (rewriteBatchedStatements, cachePrepStmts) sends
     * it as multi-row INSERTs and parses the SQL once per connection. Building one huge multi-row SQL
     * text instead made the driver re-parse it for every chunk, which cost more CPU than the copy.
     */
    public static void upsert(Connection c, String db, String table, List<String> cols, List<Object[]> rows) throws SQLException {
        if (rows.isEmpty()) return;
        try (PreparedStatement ps = c.prepareStatement(upsertSql(db, table, cols, 1))) {
            for (Object[] r : rows) {
                for (int i = 0; i < r.length; i++) bind(ps, i + 1, r[i]);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * The copy's write: rows the stream already wrote stay as they are. That is still exact: an
     * image the stream wrote before the chunk's read is older than the chunk's, and the change that
     * made the chunk's image committed after it, so its event comes later and is applied.
     */
    public static void insertIgnore(Connection c, String db, String table, List<String> cols, List<Object[]> rows) throws SQLException {
        if (rows.isEmpty()) return;
        try (PreparedStatement ps = c.prepareStatement(insertIgnoreSql(db, table, cols))) {
            for (Object[] r : rows) {
                for (int i = 0; i < r.length; i++) bind(ps, i + 1, r[i]);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    public static void delete(Connection c, String db, String table, List<String> key, List<Object[]> keys) throws SQLException {
        if (keys.isEmpty()) return;
        try (PreparedStatement ps = c.prepareStatement(deleteSql(db, table, key))) {
            for (Object[] k : keys) {
                for (int i = 0; i < k.length; i++) bind(ps, i + 1, k[i]);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
