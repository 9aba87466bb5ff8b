package io.shardkit.mysql;

import java.util.Map;

/** Reads typed values out of a status row keyed by column name, tolerating NULL and absent columns. */
final class StatusRows {
    private StatusRows() {}

    static String str(Map<String, Object> row, String col) {
        Object v = row.get(col);
        return v == null ? null : v.toString();
    }

    static String text(Map<String, Object> row, String col) {
        String s = str(row, col);
        return s == null ? "" : s;
    }

    static long num(Map<String, Object> row, String col) {
        Long v = nullableNum(row, col);
        return v == null ? 0 : v;
    }

    static Long nullableNum(Map<String, Object> row, String col) {
        String s = str(row, col);
        if (s == null || s.isBlank()) return null;
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static boolean on(Map<String, String> vars, String name) {
        String v = vars.get(name);
        return v != null && (v.equalsIgnoreCase("ON") || v.equals("1") || v.equalsIgnoreCase("YES"));
    }
}
