package io.shardkit.mysql;

/**
 * SQL text to run plus the text that may be shown or logged. They differ only when the statement
 * carries a secret (CHANGE MASTER ... PASSWORD), so a log line can never leak it by accident.
 */
public record Statement(String sql, String shown) {

    public static Statement of(String sql) {
        return new Statement(sql, sql);
    }

    @Override public String toString() { return shown; }
}
