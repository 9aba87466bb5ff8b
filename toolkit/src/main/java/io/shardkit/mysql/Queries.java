package io.shardkit.mysql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small JDBC helpers for status queries: rows as column-label maps, single values, statements. */
public final class Queries {
    private Queries() {}

    public static List<Map<String, Object>> rows(Connection c, String sql) throws SQLException {
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            List<Map<String, Object>> out = new ArrayList<>();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) row.put(md.getColumnLabel(i), rs.getObject(i));
                out.add(row);
            }
            return out;
        }
    }

    /** Two-column (name, value) rows as a map, e.g. SHOW VARIABLES output. */
    public static Map<String, String> pairs(Connection c, String sql) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) out.put(rs.getString(1), rs.getString(2));
        }
        return out;
    }

    public static String string(Connection c, String sql) throws SQLException {
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    public static void execute(Connection c, Statement s) throws SQLException {
        try (var st = c.createStatement()) {
            st.execute(s.sql());
        }
    }

    public static void execute(Connection c, List<Statement> statements) throws SQLException {
        for (Statement s : statements) execute(c, s);
    }

    public static void execute(Connection c, String sql) throws SQLException {
        execute(c, Statement.of(sql));
    }

    /** Work that runs in a session; may throw what JDBC throws. */
    @FunctionalInterface
    public interface SessionWork<T> {
        T run() throws SQLException;
    }

    /**
     * Runs {@code work} with the session's sql_mode set to {@link #LEGACY_DDL_MODE}, then restores
     * it (the connection may go back to a pool). For statements that must accept whatever a source
     * server once accepted: re-creating an existing table whose definition a legacy mode allowed (a
     * zero-date default, an ENUM with two labels equal under its collation).
     */
    public static <T> T asLegacy(Connection c, SessionWork<T> work) throws SQLException {
        String mode = string(c, "SELECT @@SESSION.sql_mode");
        execute(c, "SET SESSION sql_mode = '" + LEGACY_DDL_MODE + "'");
        try {
            return work.run();
        } finally {
            execute(c, "SET SESSION sql_mode = " + SqlText.literal(mode));
        }
    }

    /** No strictness, nothing refused that a legacy server accepted; NO_AUTO_VALUE_ON_ZERO as in every row write. */
    public static final String LEGACY_DDL_MODE = "NO_AUTO_VALUE_ON_ZERO,ALLOW_INVALID_DATES,NO_ENGINE_SUBSTITUTION";
}
