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
