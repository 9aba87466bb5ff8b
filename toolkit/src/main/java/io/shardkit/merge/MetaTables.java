package io.shardkit.merge;

import io.shardkit.mysql.Queries;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * shardkit's own bookkeeping tables on the servers (like gh-ost's changelog table): checkpoints on
 * the target, written in the same transaction as the rows they describe, and a marker table on each
 * source whose writes come back through the binlog to prove a stream has caught up.
 */
public final class MetaTables {
    public static final String DB = "_shardkit";

    private MetaTables() {}

    public static void onTarget(Connection c) throws SQLException {
        Queries.execute(c, "CREATE DATABASE IF NOT EXISTS " + DB);
        Queries.execute(c, "CREATE TABLE IF NOT EXISTS " + DB + ".copy_progress (job_id VARCHAR(64) NOT NULL, source VARCHAR(128) NOT NULL,"
                + " tbl VARCHAR(192) NOT NULL, last_key TEXT, rows_copied BIGINT NOT NULL, done TINYINT NOT NULL,"
                + " PRIMARY KEY (job_id, source, tbl)) ENGINE=InnoDB");
        Queries.execute(c, "CREATE TABLE IF NOT EXISTS " + DB + ".stream_position (job_id VARCHAR(64) NOT NULL, source VARCHAR(128) NOT NULL,"
                + " position TEXT NOT NULL, gtid VARCHAR(255), events BIGINT NOT NULL, marker BIGINT NOT NULL DEFAULT 0, updated_at TIMESTAMP(6) NOT NULL,"
                + " PRIMARY KEY (job_id, source)) ENGINE=InnoDB");
        // apply-time collisions: what would have overwritten what (the job stops in CONFLICT)
        Queries.execute(c, "CREATE TABLE IF NOT EXISTS " + DB + ".conflicts (id BIGINT AUTO_INCREMENT PRIMARY KEY, job_id VARCHAR(64) NOT NULL, tbl VARCHAR(192) NOT NULL,"
                + " source VARCHAR(128) NOT NULL, key_json TEXT NOT NULL, holder_key_json TEXT, holder_source VARCHAR(128), detail TEXT, detected_at TIMESTAMP(6) NOT NULL,"
                + " KEY job (job_id)) ENGINE=InnoDB");
        // every target key the stream wrote, with when: verify re-checks exactly these after a clean pass
        TouchedLog.createTable(c);
    }

    public static void onSource(Connection c) throws SQLException {
        Queries.execute(c, "CREATE DATABASE IF NOT EXISTS " + DB);
        Queries.execute(c, "CREATE TABLE IF NOT EXISTS " + DB + ".markers (job_id VARCHAR(64) NOT NULL, source VARCHAR(128) NOT NULL,"
                + " seq BIGINT NOT NULL, PRIMARY KEY (job_id, source)) ENGINE=InnoDB");
    }

    /**
     * Records, in the caller's transaction, a stream's position after a batch (with the highest marker
     * it carried): the checkpoint a restart resumes from, on the server that holds the batch's rows.
     */
    public static void savePosition(Connection c, String jobId, String source, java.util.Map<String, Object> position, String gtid, long events, Long marker)
            throws SQLException {
        try (java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO " + DB + ".stream_position (job_id, source, position, gtid, events, updated_at"
                + ", marker) VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE position = VALUES(position), gtid = COALESCE(VALUES(gtid), gtid),"
                + " events = events + VALUES(events), marker = GREATEST(marker, VALUES(marker)), updated_at = VALUES(updated_at)")) {
            ps.setString(1, jobId);
            ps.setString(2, source);
            ps.setString(3, JSON.writeValueAsString(position));
            ps.setString(4, gtid);
            ps.setLong(5, events);
            ps.setTimestamp(6, java.sql.Timestamp.from(java.time.Instant.now()));
            ps.setLong(7, marker == null ? 0 : marker);
            ps.executeUpdate();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SQLException(e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
}
