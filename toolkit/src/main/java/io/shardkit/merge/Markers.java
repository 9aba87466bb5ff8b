package io.shardkit.merge;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Markers prove that a stream has applied everything a source committed before them: a row
 * written on the source primary travels through its binlog, and the target records the highest
 * one it applied in the same transaction as the rows before it. Sequence numbers come from the
 * source row itself, so every process (the job, verify, cutover) draws from one counter.
 */
public final class Markers {
    private Markers() {}

    /** Writes the next marker of this job and source on {@code source}; returns its sequence number. */
    public static long write(Connection source, String jobId, String group) throws SQLException {
        boolean auto = source.getAutoCommit();
        source.setAutoCommit(false);
        try {
            try (PreparedStatement ps = source.prepareStatement("INSERT INTO " + MetaTables.DB + ".markers (job_id, source, seq) VALUES (?, ?, 1)"
                    + " ON DUPLICATE KEY UPDATE seq = seq + 1")) {
                ps.setString(1, jobId);
                ps.setString(2, group);
                ps.executeUpdate();
            }
            long seq;
            try (PreparedStatement ps = source.prepareStatement("SELECT seq FROM " + MetaTables.DB + ".markers WHERE job_id = ? AND source = ?")) {
                ps.setString(1, jobId);
                ps.setString(2, group);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    seq = rs.getLong(1);
                }
            }
            source.commit();
            return seq;
        } catch (SQLException | RuntimeException e) {
            source.rollback();
            throw e;
        } finally {
            source.setAutoCommit(auto);
        }
    }

    /** The highest marker of this job and source the target has applied; 0 when none. */
    public static long applied(Connection target, String jobId, String group) throws SQLException {
        try (PreparedStatement ps = target.prepareStatement("SELECT marker FROM " + MetaTables.DB + ".stream_position WHERE job_id = ? AND source = ?")) {
            ps.setString(1, jobId);
            ps.setString(2, group);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }
}
