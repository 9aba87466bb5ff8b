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

    /**
     * An insert that keeps a row already there: a duplicate key is a no-op update of the key to
     * itself. Not INSERT IGNORE, which also turns every value the server would refuse (out of
     * range, a bad date, truncated text) into a silent change with a warning.
     */
    public static String insertIfAbsentSql(String db, String table, List<String> cols, List<String> key) {
        return "INSERT INTO " + identifier(db) + "." + identifier(table) + " ("
                + String.join(", ", cols.stream().map(io.shardkit.mysql.SqlText::identifier).toList()) + ") VALUES ("
                + String.join(", ", java.util.Collections.nCopies(cols.size(), "?")) + ") ON DUPLICATE KEY UPDATE "
                + identifier(key.getFirst()) + " = " + identifier(key.getFirst());
    }

    public static String deleteSql(String db, String table, List<String> key) {
        return "DELETE FROM " + identifier(db) + "." + identifier(table) + " WHERE "
                + String.join(" AND ", key.stream().map(c -> identifier(c) + " = ?").toList());
    }

    private static final java.time.format.DateTimeFormatter DATETIME = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    /**
     * Binds a value as read by {@link JdbcValues} or converted from the binlog. Temporal values
     * travel as text (the server's own rendering, zero dates included; MariaDB also announces itself
     * as "5.5.5-10.x" and Connector/J then drops fractions from LocalDateTime parameters). A Float
     * goes as the DOUBLE that holds it exactly: its own shortest text ("3.4028235E38" for the
     * largest float) parses to a double above the largest float, which a FLOAT column refuses.
     * An ENUM index 0 is bound as 1 here and set by {@link #fixInvalidEnums} afterwards.
     */
    public static void bind(PreparedStatement ps, int i, Object v) throws SQLException {
        if (v instanceof java.time.LocalDateTime t) ps.setString(i, DATETIME.format(t));
        else if (v instanceof java.time.LocalTime t) ps.setString(i, t.toString());
        else if (v instanceof java.math.BigInteger b) ps.setBigDecimal(i, new java.math.BigDecimal(b)); // BIGINT UNSIGNED above 2^63
        else if (v instanceof Float f) ps.setDouble(i, f.doubleValue());
        else if (v instanceof EnumIndex e) ps.setInt(i, e.index() == 0 ? 1 : e.index());
        else ps.setObject(i, v);
    }

    /**
     * Gives the rows' ENUM index-0 values (bound as 1 by {@link #bind}) their value: the invalid
     * value only exists through a write the server lets pass with a warning, so each such column
     * is set by an {@code UPDATE IGNORE} of its own, in the caller's transaction. Rows that hold
     * none (nearly all) cost nothing.
     */
    static void fixInvalidEnums(Connection c, String db, String table, List<String> cols, List<String> key, List<Object[]> rows) throws SQLException {
        for (Object[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                if (!(r[i] instanceof EnumIndex e) || e.index() != 0) continue;
                String sql = "UPDATE IGNORE " + identifier(db) + "." + identifier(table) + " SET " + identifier(cols.get(i)) + " = 0 WHERE "
                        + String.join(" AND ", key.stream().map(k -> identifier(k) + " = ?").toList());
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    for (int k = 0; k < key.size(); k++) bind(ps, k + 1, r[cols.indexOf(key.get(k))]);
                    ps.executeUpdate();
                }
            }
        }
    }

    /**
     * One single-row statement, batched: Connector/J (rewriteBatchedStatements, cachePrepStmts) sends
     * it as multi-row INSERTs and parses the SQL once per connection. Building one huge multi-row SQL
     * text instead made the driver re-parse it for every chunk, which cost more CPU than the copy.
     */
    public static void upsert(Connection c, String db, String table, List<String> cols, List<String> key, List<Object[]> rows) throws SQLException {
        if (rows.isEmpty()) return;
        try (PreparedStatement ps = c.prepareStatement(upsertSql(db, table, cols, 1))) {
            for (Object[] r : rows) {
                for (int i = 0; i < r.length; i++) bind(ps, i + 1, r[i]);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        fixInvalidEnums(c, db, table, cols, key, rows);
    }

    /**
     * The copy's write: rows the stream already wrote stay as they are. That is still exact: an
     * image the stream wrote before the chunk's read is older than the chunk's, and the change that
     * made the chunk's image committed after it, so its event comes later and is applied.
     */
    public static void insertIfAbsent(Connection c, String db, String table, List<String> cols, List<String> key, List<Object[]> rows) throws SQLException {
        if (rows.isEmpty()) return;
        try (PreparedStatement ps = c.prepareStatement(insertIfAbsentSql(db, table, cols, key))) {
            for (Object[] r : rows) {
                for (int i = 0; i < r.length; i++) bind(ps, i + 1, r[i]);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        // a row the stream already wrote gets the chunk's value of that column: the chunk's image is no older than the
        // stream's (see the method comment), and a newer one's event is still to come
        fixInvalidEnums(c, db, table, cols, key, rows);
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
