package io.shardkit.verify;

import io.shardkit.mysql.JdbcValues;
import io.shardkit.mysql.RowWrites;
import io.shardkit.mysql.SqlText;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Re-copies differing rows from the source that owns them, online. For each key, every source
 * that could own it is read with a shared lock (a gap lock where the row is absent) and the lock is
 * held until the target has the row: a change on the source can then only commit after the
 * repair, so its binlog event reaches the target after the repair's write and the stream keeps the
 * target exact. A row no source has is deleted from the target; a row two sources have is left
 * alone and reported.
 */
public final class Repair {
    private Repair() {}

    /** What a repair did or, for --print-sql, would do. */
    public record Outcome(List<String> statements, int upserted, int deleted, List<RowDiff> unrepairable) {}

    public static Outcome run(TableSpec spec, List<RowDiff> diffs, DataSource target, Map<String, DataSource> sources, boolean apply) throws SQLException {
        List<String> shown = new ArrayList<>();
        List<RowDiff> refused = new ArrayList<>();
        int up = 0;
        int del = 0;
        for (RowDiff d : diffs) {
            Map<String, Connection> locked = new LinkedHashMap<>();
            try {
                Map<String, Object[]> found = new LinkedHashMap<>();
                for (TableSpec.SourceMap s : spec.sources()) {
                    Side side = Side.source(s);
                    List<Object> own = side.ownKey(spec, d.key());
                    if (own == null) continue;
                    Connection c = sources.get(s.group()).getConnection();
                    locked.put(s.group(), c);
                    c.setAutoCommit(false);
                    Object[] row = read(c, spec, side, own, apply);
                    if (row != null) found.put(s.group(), row);
                }
                if (found.size() > 1) {
                    refused.add(new RowDiff(d.table(), d.key(), RowDiff.Kind.DUPLICATE, String.join(",", found.keySet())));
                    continue;
                }
                String sql;
                List<Object[]> rows;
                List<String> cols;
                if (found.isEmpty()) {
                    cols = spec.rowKey();
                    rows = List.<Object[]>of(d.key().toArray());
                    sql = RowWrites.deleteSql(spec.database(), spec.table(), cols);
                    del++;
                } else {
                    cols = spec.columns();
                    rows = List.<Object[]>of(found.values().iterator().next());
                    sql = RowWrites.upsertSql(spec.database(), spec.table(), cols, 1);
                    up++;
                }
                shown.add(render(sql, rows.getFirst()));
                if (apply) {
                    try (Connection t = target.getConnection()) {
                        t.setAutoCommit(false);
                        if (found.isEmpty()) RowWrites.delete(t, spec.database(), spec.table(), cols, rows);
                        else RowWrites.upsert(t, spec.database(), spec.table(), cols, spec.rowKey(), rows);
                        t.commit();
                    }
                }
            } finally {
                for (Connection c : locked.values()) {
                    try (c) {
                        c.rollback(); // releases the shared locks, after the target committed
                    }
                }
            }
        }
        return new Outcome(shown, up, del, refused);
    }

    private static Object[] read(Connection c, TableSpec spec, Side side, List<Object> own, boolean lock) throws SQLException {
        String sql = RowHashSql.rowForRepair(spec, side);
        if (!lock) sql = sql.replace(" LOCK IN SHARE MODE", "");
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < own.size(); i++) RowWrites.bind(ps, i + 1, own.get(i));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return null;
                Object[] row = new Object[spec.typed().size()];
                for (int i = 1; i <= row.length; i++) row[i - 1] = JdbcValues.read(rs, i, spec.typed().get(i - 1).type());
                return row;
            }
        }
    }

    /** The statement with its values inlined, for an operator to read or run. */
    static String render(String sql, Object[] values) {
        StringBuilder sb = new StringBuilder();
        int v = 0;
        for (char ch : sql.toCharArray()) {
            if (ch == '?' && v < values.length) sb.append(SqlText.literalOf(values[v++]));
            else sb.append(ch);
        }
        return sb.append(';').toString();
    }
}
