package io.shardkit.mysql;

/** Literal and identifier quoting for statements that cannot use bind parameters (CHANGE MASTER, DDL). */
public final class SqlText {
    private SqlText() {}

    public static String literal(String s) {
        StringBuilder sb = new StringBuilder("'");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\'' -> sb.append("''");
                case '\\' -> sb.append("\\\\");
                case '\0' -> sb.append("\\0");
                default -> sb.append(c);
            }
        }
        return sb.append('\'').toString();
    }

    /**
     * An expression whose text rendering is the column's exact value. Both flavors print FLOAT with
     * six significant digits (MariaDB 10.11: a stored 16777217 reads back as "16777200"), so a copy
     * or a checksum through the text protocol would change or miss a float; as a DOUBLE (exact for
     * every float, printed shortest-exact) it round-trips. Multiplying by 1e0 makes it a DOUBLE on
     * every version (CAST AS DOUBLE needs MySQL 8.0.17) and, unlike adding 0, keeps -0.
     */
    public static String exact(String expression, String dataType) {
        return "float".equalsIgnoreCase(dataType) ? "(" + expression + " * 1e0)" : expression;
    }

    public static String identifier(String name) {
        return "`" + name.replace("`", "``") + "`";
    }

    /** A value read through {@link JdbcValues} as an SQL literal, for statements shown rather than run (repair --print-sql). */
    public static String literalOf(Object v) {
        if (v == null) return "NULL";
        if (v instanceof Boolean b) return b ? "1" : "0";
        if (v instanceof java.math.BigDecimal d) return d.toPlainString();
        if (v instanceof Number) return v.toString();
        if (v instanceof byte[] bytes) return bytes.length == 0 ? "''" : "X'" + java.util.HexFormat.of().formatHex(bytes) + "'";
        if (v instanceof java.time.LocalDateTime t) return literal(t.format(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS")));
        return literal(v.toString());
    }
}
