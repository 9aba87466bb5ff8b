package io.shardkit.merge;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A row the target will not take, whatever the retries: a deterministic refusal (a value out of
 * the column's range, a constraint, a value the driver cannot bind). The job stops in FAILED with
 * this message instead of restarting its stream into the same row forever; an operator fixes the
 * cause (often the target's schema) and resumes.
 */
public final class ApplyRefused extends RuntimeException {
    private final String source;
    private final String table;
    private final String key;
    private final String column;

    ApplyRefused(String source, String table, String key, String column, String serverError, Throwable cause) {
        super("the target refused a row from source " + source + ": table " + table + ", key " + key
                + (column != null ? ", column " + column : "") + ": " + serverError, cause);
        this.source = source;
        this.table = table;
        this.key = key;
        this.column = column;
    }

    public String source() { return source; }

    public String table() { return table; }

    public String key() { return key; }

    public String column() { return column; }

    private static final Pattern QUOTED = Pattern.compile("column '([^']+)'");
    private static final Pattern QUALIFIED = Pattern.compile("column `[^`]*`\\.`[^`]*`\\.`([^`]+)`");

    /** The column a server error names ("... for column 'y' at row 2", MariaDB's "column `db`.`t`.`y`"), or null. */
    static String columnIn(String message) {
        if (message == null) return null;
        Matcher m = QUALIFIED.matcher(message);
        if (m.find()) return m.group(1);
        m = QUOTED.matcher(message);
        return m.find() ? m.group(1) : null;
    }
}
