package io.shardkit.merge;

import static io.shardkit.mysql.SqlText.identifier;

import io.shardkit.mysql.Queries;
import io.shardkit.mysql.SqlText;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A source table's definition as the target must be created with it. SHOW CREATE TABLE and
 * information_schema render every 4-byte character of an ENUM or SET label as '?' (MariaDB 10.11
 * and MySQL 8.0 alike: their dictionaries are utf8mb3), so a table created from that text has other
 * labels, and every row holding one would arrive different. The exact labels are read from the
 * server itself: a temporary table shaped like the column ({@code CREATE TEMPORARY TABLE ... AS
 * SELECT col ... LIMIT 0}, never logged under row-based binlogs) takes each index, and reading
 * it back through a utf8mb4 session gives each label's text.
 */
final class ExactDdl {
    private ExactDdl() {}

    /** The CREATE TABLE text with each ENUM/SET column's labels replaced by the exact ones. */
    static String withLabels(String createTable, Map<String, List<String>> labels) {
        String out = createTable;
        for (var e : labels.entrySet()) {
            String head = identifier(e.getKey()) + " ";
            int col = out.indexOf("\n  " + head);
            if (col < 0) throw new IllegalStateException("column " + e.getKey() + " not found in its CREATE TABLE");
            int start = col + 3 + head.length();
            String rest = out.substring(start).toLowerCase(Locale.ROOT);
            String word = rest.startsWith("enum(") ? "enum" : rest.startsWith("set(") ? "set" : null;
            if (word == null) throw new IllegalStateException("column " + e.getKey() + " is not an ENUM or SET in its CREATE TABLE");
            int end = start + word.length() + listLength(out, start + word.length());
            String exact = word + "(" + String.join(",", e.getValue().stream().map(SqlText::literal).toList()) + ")";
            int lineEnd = out.indexOf('\n', end);
            String tail = exactDefault(out.substring(end, lineEnd < 0 ? out.length() : lineEnd), e.getValue(), word.equals("set"));
            out = out.substring(0, start) + exact + tail + (lineEnd < 0 ? "" : out.substring(lineEnd));
        }
        return out;
    }

    /**
     * The rest of a column's line with its DEFAULT label made exact: the default is rendered with
     * the same '?' for 4-byte characters, so it is matched against the labels rendered that way
     * (each element of a SET default on its own). A default that matches no label or several is
     * left as it was.
     */
    static String exactDefault(String rest, List<String> labels, boolean set) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("DEFAULT '((?:[^'\\\\]|''|\\\\.)*)'").matcher(rest);
        if (!m.find()) return rest;
        String shown = m.group(1).replace("''", "'");
        List<String> parts = set ? List.of(shown.split(",", -1)) : List.of(shown);
        List<String> exact = new ArrayList<>();
        for (String p : parts) {
            List<String> match = labels.stream().filter(l -> rendered(l).equals(p)).toList();
            if (match.size() != 1) return rest;
            exact.add(match.getFirst());
        }
        return rest.substring(0, m.start()) + "DEFAULT " + SqlText.literal(String.join(",", exact)) + rest.substring(m.end());
    }

    /** A label as the server's utf8mb3 dictionary renders it: each character beyond the BMP as '?'. */
    static String rendered(String label) {
        StringBuilder sb = new StringBuilder();
        label.codePoints().forEach(cp -> sb.append(cp > 0xFFFF ? "?" : new String(Character.toChars(cp))));
        return sb.toString();
    }

    /** Length of a parenthesised list of quoted labels starting at {@code from} (at its '('), quotes and escapes included. */
    static int listLength(String s, int from) {
        if (s.charAt(from) != '(') throw new IllegalArgumentException("no label list at " + from);
        int i = from + 1;
        while (i < s.length()) {
            char ch = s.charAt(i);
            if (ch == ')') return i + 1 - from;
            if (ch == '\'') {
                i++;
                while (true) {
                    char q = s.charAt(i);
                    if (q == '\\') i += 2;
                    else if (q == '\'' && i + 1 < s.length() && s.charAt(i + 1) == '\'') i += 2;
                    else if (q == '\'') { i++; break; }
                    else i++;
                }
            } else {
                i++;
            }
        }
        throw new IllegalArgumentException("unterminated label list");
    }

    /** How many labels an ENUM/SET COLUMN_TYPE lists (its text may show '?' for some characters; the count is right). */
    static int labelCount(String columnType) {
        int open = columnType.indexOf('(');
        int n = 0;
        int i = open + 1;
        while (i < columnType.length() && columnType.charAt(i) != ')') {
            if (columnType.charAt(i) == '\'') {
                n++;
                i += listQuoted(columnType, i);
            } else {
                i++;
            }
        }
        return n;
    }

    private static int listQuoted(String s, int at) {
        int i = at + 1;
        while (true) {
            char q = s.charAt(i);
            if (q == '\\') i += 2;
            else if (q == '\'' && i + 1 < s.length() && s.charAt(i + 1) == '\'') i += 2;
            else if (q == '\'') return i + 1 - at;
            else i++;
        }
    }

    /** The exact labels of every ENUM/SET column of a source table, read through a temporary table in {@code scratchDb}. */
    static Map<String, List<String>> labels(Connection source, TableSchema schema, String scratchDb) throws SQLException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (TableSchema.Column c : schema.columns()) {
            String type = c.columnType().toLowerCase(Locale.ROOT);
            boolean set = type.startsWith("set(");
            if (!set && !type.startsWith("enum(")) continue;
            int n = labelCount(c.columnType());
            String tmp = identifier(scratchDb) + ".`sk_labels`";
            try (Statement st = source.createStatement()) {
                Queries.execute(source, "DROP TEMPORARY TABLE IF EXISTS " + tmp);
                Queries.execute(source, "CREATE TEMPORARY TABLE " + tmp + " AS SELECT " + identifier(c.name()) + " AS v, 0 AS k FROM "
                        + identifier(schema.database()) + "." + identifier(schema.table()) + " LIMIT 0");
                try {
                    List<String> values = new ArrayList<>();
                    for (int k = 0; k < n; k++) values.add("(" + (set ? java.math.BigInteger.ONE.shiftLeft(k) : java.math.BigInteger.valueOf(k + 1)) + ", " + k + ")");
                    Queries.execute(source, "INSERT INTO " + tmp + " (v, k) VALUES " + String.join(", ", values));
                    List<String> labels = new ArrayList<>();
                    try (ResultSet rs = st.executeQuery("SELECT v FROM " + tmp + " ORDER BY k")) {
                        while (rs.next()) labels.add(rs.getString(1));
                    }
                    if (labels.size() != n) throw new SQLException("read " + labels.size() + " labels of " + n + " for " + schema.qualified() + "." + c.name());
                    out.put(c.name(), labels);
                } finally {
                    Queries.execute(source, "DROP TEMPORARY TABLE IF EXISTS " + tmp);
                }
            }
        }
        return out;
    }
}
