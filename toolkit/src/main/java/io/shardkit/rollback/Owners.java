package io.shardkit.rollback;

import io.shardkit.merge.MetaTables;
import io.shardkit.mysql.KeyRange;
import io.shardkit.mysql.KeyValues;
import io.shardkit.mysql.Queries;
import io.shardkit.mysql.RowWrites;
import io.shardkit.mysql.SqlText;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * Who owns a key when the key strategy cannot say (reject): the source that held it at the cutover
 * (sources are frozen from then on, and only the reverse stream writes to them), or the one the
 * reverse stream first gave it to. Every write the reverse stream makes records its owner in
 * {@code _shardkit.owners} on that source, in the same transaction, and owners are never forgotten:
 * a replayed event (delivery is at-least-once) finds the same owner even after the row was deleted.
 * A key no source has ever had was created on the target after the cutover; it goes to the
 * operator's {@code --new-rows-to} group, or stops the rollback naming it.
 */
final class Owners {
    private final String jobId;
    private final String database;
    private final Map<String, DataSource> sources;
    private final String newRowsTo;
    private final Map<String, String> cache = new ConcurrentHashMap<>();

    Owners(String jobId, String database, Map<String, DataSource> sources, String newRowsTo) {
        this.jobId = jobId;
        this.database = database;
        this.sources = sources;
        this.newRowsTo = newRowsTo;
    }

    static void createTable(Connection c) throws SQLException {
        Queries.execute(c, "CREATE TABLE IF NOT EXISTS " + MetaTables.DB + ".owners (job_id VARCHAR(64) NOT NULL, tbl VARCHAR(192) NOT NULL,"
                + " key_hash BINARY(16) NOT NULL, key_json TEXT NOT NULL, PRIMARY KEY (job_id, tbl, key_hash)) ENGINE=InnoDB");
    }

    /** The owning source of each key (source key values) of one table. */
    Map<String, String> resolve(String table, List<String> keyColumns, List<Object[]> keys) throws SQLException {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        List<Object[]> unknown = new ArrayList<>();
        for (Object[] k : keys) {
            String text = KeyValues.encode(Arrays.asList(k));
            String known = cache.get(table + "." + text);
            if (known != null) out.put(text, known);
            else if (!out.containsKey(text)) {
                out.put(text, null);
                unknown.add(k);
            }
        }
        if (unknown.isEmpty()) return out;
        for (var s : sources.entrySet()) {
            try (Connection c = s.getValue().getConnection()) {
                for (String text : holding(c, table, keyColumns, unknown)) {
                    String before = out.put(text, s.getKey());
                    if (before != null && !before.equals(s.getKey())) {
                        throw new io.shardkit.merge.RowMapper.KeyConflict(table + " key " + text + " is held by both " + before + " and " + s.getKey());
                    }
                }
            }
        }
        for (var e : out.entrySet()) {
            if (e.getValue() == null) {
                if (newRowsTo == null) {
                    throw new io.shardkit.merge.RowMapper.KeyConflict(table + " key " + e.getKey() + " was created on the target after the cutover and no source owns it:"
                            + " run 'merge rollback " + jobId + " --new-rows-to GROUP' to say which source takes such rows");
                }
                e.setValue(newRowsTo);
            }
            cache.put(table + "." + e.getKey(), e.getValue());
        }
        return out;
    }

    /** The keys (as text) among these that the source has as a row or has recorded as its own. */
    private List<String> holding(Connection c, String table, List<String> keyColumns, List<Object[]> keys) throws SQLException {
        List<String> out = new ArrayList<>();
        String sql = "SELECT " + String.join(", ", keyColumns.stream().map(SqlText::identifier).toList()) + " FROM " + SqlText.identifier(database) + "."
                + SqlText.identifier(table) + " WHERE " + KeyRange.in(keyColumns, keys.size());
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            for (Object[] k : keys) for (Object v : k) RowWrites.bind(ps, i++, v);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<Object> k = new ArrayList<>();
                    for (int j = 1; j <= keyColumns.size(); j++) k.add(rs.getObject(j));
                    out.add(KeyValues.encode(k));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT key_json FROM " + MetaTables.DB + ".owners WHERE job_id = ? AND tbl = ? AND key_hash = UNHEX(MD5(?))")) {
            for (Object[] k : keys) {
                String text = KeyValues.encode(Arrays.asList(k));
                ps.setString(1, jobId);
                ps.setString(2, table);
                ps.setString(3, table + "." + text);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && !out.contains(text)) out.add(text);
                }
            }
        }
        return out;
    }

    /** Records, in the caller's transaction on {@code source}, that these keys are that source's. */
    void record(Connection source, String table, List<String> keyTexts) throws SQLException {
        if (keyTexts.isEmpty()) return;
        try (PreparedStatement ps = source.prepareStatement("INSERT IGNORE INTO " + MetaTables.DB + ".owners (job_id, tbl, key_hash, key_json) VALUES (?, ?, UNHEX(MD5(?)), ?)")) {
            for (String k : keyTexts) {
                ps.setString(1, jobId);
                ps.setString(2, table);
                ps.setString(3, table + "." + k);
                ps.setString(4, k);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
