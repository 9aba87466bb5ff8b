package io.shardkit.merge;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which target keys the stream wrote, and when: one row per applied batch, holding that batch's
 * keys per table, written in the batch's own transaction and stamped with the target's clock. An
 * incremental verify (and the cutover's final one) re-checks exactly the keys written since the
 * last clean pass. One row per batch rather than one per key: the per-key rows (an upsert each,
 * with two indexes) cost a third of the apply's time under sysbench.
 */
public final class TouchedLog {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, List<String>>> SHAPE = new TypeReference<>() {};

    private TouchedLog() {}

    static void createTable(Connection c) throws SQLException {
        io.shardkit.mysql.Queries.execute(c, "CREATE TABLE IF NOT EXISTS " + MetaTables.DB + ".touched_batches (id BIGINT AUTO_INCREMENT PRIMARY KEY,"
                + " job_id VARCHAR(64) NOT NULL, source VARCHAR(128) NOT NULL, touched_at TIMESTAMP(6) NOT NULL, keys_json MEDIUMTEXT NOT NULL,"
                + " KEY touched_at (job_id, touched_at)) ENGINE=InnoDB");
    }

    /** Records, in the caller's transaction, the keys (canonical key text per table) one batch wrote. */
    public static void record(Connection c, String jobId, String source, Map<String, Set<String>> keys) throws SQLException {
        if (keys.isEmpty()) return;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + MetaTables.DB + ".touched_batches (job_id, source, touched_at, keys_json) VALUES (?, ?, NOW(6), ?)")) {
            ps.setString(1, jobId);
            ps.setString(2, source);
            ps.setString(3, JSON.writeValueAsString(keys));
            ps.executeUpdate();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SQLException(e);
        }
    }

    /** The distinct keys of one table (all tables when null) written at or after {@code since} (the target's clock). */
    public static Map<String, Set<String>> since(Connection c, String jobId, Timestamp since, String table) throws SQLException {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT keys_json FROM " + MetaTables.DB + ".touched_batches WHERE job_id = ? AND touched_at >= ? ORDER BY id")) {
            ps.setString(1, jobId);
            // as text: Connector/J drops the fraction of a TIMESTAMP parameter when MariaDB announces itself as 5.5.5-10.x,
            // and a whole second earlier would count rows written just before as still moving
            io.shardkit.mysql.RowWrites.bind(ps, 2, since.toLocalDateTime());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    for (var e : JSON.readValue(rs.getString(1), SHAPE).entrySet()) {
                        if (table == null || table.equals(e.getKey())) out.computeIfAbsent(e.getKey(), k -> new LinkedHashSet<>()).addAll(e.getValue());
                    }
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SQLException("unreadable touched-keys record: " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Forgets batches older than {@code before}, in small READ COMMITTED deletes so it takes no gap
     * locks against the stream's inserts; a deadlock just leaves the rest for next time.
     */
    public static void prune(Connection c, String jobId, Timestamp before) throws SQLException {
        int isolation = c.getTransactionIsolation();
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + MetaTables.DB + ".touched_batches WHERE job_id = ? AND touched_at < ? LIMIT 500")) {
            ps.setString(1, jobId);
            io.shardkit.mysql.RowWrites.bind(ps, 2, before.toLocalDateTime());
            while (ps.executeUpdate() == 500) {
                // next batch
            }
        } catch (SQLException e) {
            if (e.getErrorCode() != 1213 && e.getErrorCode() != 1205) throw e;
        } finally {
            c.setTransactionIsolation(isolation);
        }
    }
}
