package io.shardkit.mysql;

import static io.shardkit.mysql.SqlText.identifier;

import com.mysql.cj.jdbc.JdbcStatement;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;

/**
 * Rows sent to the server as {@code LOAD DATA LOCAL INFILE ... IGNORE} from memory: the server parses
 * tab-separated text in C instead of the driver building, and the server parsing, a multi-row
 * INSERT statement. The same syntax on MariaDB and MySQL; the server must allow it
 * ({@code local_infile}, off by default on MySQL 8.0), so callers ask {@link #allowed} first.
 *
 * <p>Values are the server's own text renderings (what the text protocol returned for the source's
 * column), so nothing is converted in Java. The file is declared utf8mb4: text columns arrive in the
 * connection's utf8mb4 and are converted back to their own charset by the server. MariaDB stores
 * binary columns byte for byte (no conversion into a binary column; since valid UTF-8 never puts an
 * ASCII byte inside a multi-byte sequence, a tab, newline or backslash in binary data is never taken
 * for part of a character); MySQL 8.0 instead refuses bytes that are not UTF-8 (see {@link Outcome}).
 */
public final class LoadData {
    private LoadData() {}

    /** Whether the server accepts LOAD DATA LOCAL. */
    public static boolean allowed(Connection c) throws SQLException {
        return "1".equals(Queries.string(c, "SELECT @@GLOBAL.local_infile"));
    }

    /**
     * @param numeric columns whose field is a number to assign as a number (an ENUM index, a SET bit
     *                mask): LOAD DATA takes every field as a string, which would be matched as a label
     */
    public static String sql(String db, String table, List<String> cols, java.util.Set<String> numeric) {
        List<String> fields = new java.util.ArrayList<>();
        List<String> sets = new java.util.ArrayList<>();
        for (int i = 0; i < cols.size(); i++) {
            String c = cols.get(i);
            if (numeric.contains(c)) {
                fields.add("@sk" + i);
                sets.add(SqlText.identifier(c) + " = CAST(@sk" + i + " AS UNSIGNED)");
            } else {
                fields.add(SqlText.identifier(c));
            }
        }
        return "LOAD DATA LOCAL INFILE 'shardkit-chunk' IGNORE INTO TABLE " + identifier(db) + "." + identifier(table)
                + " CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' ("
                + String.join(", ", fields) + ")" + (sets.isEmpty() ? "" : " SET " + String.join(", ", sets));
    }

    /**
     * What a load did: rows inserted, and the server's first warning (null when there was none);
     * {@code refused} when the server rejected the data itself (MySQL validates the file's
     * character set, so bytes of a BLOB that are not UTF-8 fail the statement): every chunk of
     * that table would, so the caller stops loading it.
     */
    public record Outcome(long inserted, String warning, boolean refused) {
        /** Every row went in as sent: no duplicate skipped, no value adjusted. */
        public boolean clean(long sent) {
            return !refused && warning == null && inserted == sent;
        }
    }

    /**
     * Loads the rows. Any warning (a skipped duplicate, a value the server had to adjust), a short
     * count or a refusal means the caller must roll back and write the chunk the careful way. Lock
     * conflicts, lost connections and read-only servers are thrown as for any statement.
     */
    public static Outcome load(Connection c, String db, String table, List<String> cols, java.util.Set<String> numeric, Rows rows) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.unwrap(JdbcStatement.class).setLocalInfileInputStream(new ByteArrayInputStream(rows.buf, 0, rows.len));
            long n;
            try {
                n = st.executeLargeUpdate(sql(db, table, cols, numeric));
            } catch (SQLException e) {
                if (SqlErrors.classify(e) != SqlErrors.ErrorClass.FATAL) throw e;
                return new Outcome(-1, e.getErrorCode() + " " + e.getMessage(), true);
            }
            java.sql.SQLWarning w = st.getWarnings();
            return new Outcome(n, w == null ? null : w.getErrorCode() + " " + w.getMessage(), false);
        }
    }

    /** A growing buffer of tab-separated rows with LOAD DATA's default escaping; NULL is {@code \N}. */
    public static final class Rows {
        private byte[] buf = new byte[1 << 16];
        private int len;
        private boolean rowStarted;
        private long rows;

        public void value(byte[] v) {
            separator();
            if (v == null) {
                put((byte) '\\');
                put((byte) 'N');
                return;
            }
            ensure(v.length * 2);
            for (byte b : v) {
                switch (b) {
                    case '\\' -> { buf[len++] = '\\'; buf[len++] = '\\'; }
                    case '\t' -> { buf[len++] = '\\'; buf[len++] = 't'; }
                    case '\n' -> { buf[len++] = '\\'; buf[len++] = 'n'; }
                    case 0 -> { buf[len++] = '\\'; buf[len++] = '0'; }
                    default -> buf[len++] = b;
                }
            }
        }

        public void value(String v) {
            value(v == null ? null : v.getBytes(StandardCharsets.UTF_8));
        }

        public void endRow() {
            put((byte) '\n');
            rowStarted = false;
            rows++;
        }

        /** The text so far (for tests). */
        byte[] toBytes() {
            return Arrays.copyOf(buf, len);
        }

        public long rows() {
            return rows;
        }

        public void clear() {
            len = 0;
            rows = 0;
            rowStarted = false;
        }

        private void separator() {
            if (rowStarted) put((byte) '\t');
            rowStarted = true;
        }

        private void put(byte b) {
            ensure(1);
            buf[len++] = b;
        }

        private void ensure(int more) {
            if (len + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }
}
