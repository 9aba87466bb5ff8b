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
}
