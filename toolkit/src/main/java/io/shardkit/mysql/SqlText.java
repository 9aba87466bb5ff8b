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
}
