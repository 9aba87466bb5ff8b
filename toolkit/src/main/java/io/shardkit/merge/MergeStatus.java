package io.shardkit.merge;

import io.shardkit.mysql.ConnectionSettings;
import io.shardkit.mysql.Connections;
import io.shardkit.mysql.Credential;
import io.shardkit.mysql.Endpoint;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** What an operator sees of a job: its state and, from the target's checkpoints, copy and stream progress. */
public record MergeStatus(String id, JobState state, String reason, JobStore.Settings settings, List<TableProgress> tables, List<StreamProgress> streams) {

    /** Copy progress of one table from one source. */
    public record TableProgress(String source, String table, long copied, long planned, boolean done) {}

    /**
     * Apply progress of one source's stream: {@code sinceLastApply} is how long ago a batch was
     * committed; {@code transactionsBehind} is how many transactions the source has executed that the
     * stream's checkpoint does not cover yet (-1 when it cannot be told).
     */
    public record StreamProgress(String source, long events, String lastGtid, Duration sinceLastApply, long transactionsBehind) {}

    /**
     * Transactions the source (at the address it had when planned) has executed beyond the stream's
     * checkpoint, whose offset carries the executed GTID set ("gtids") for both connectors.
     */
    static long behind(Plan.Source s, String positionJson, Credential admin) {
        try {
            Object gtids = new com.fasterxml.jackson.databind.ObjectMapper().readValue(positionJson, java.util.Map.class).get("gtids");
            if (gtids == null) return -1;
            String[] hp = s.address().split(":");
            try (Connection c = Connections.open(new Endpoint(hp[0], Integer.parseInt(hp[1])), admin, ConnectionSettings.PROBE)) {
                io.shardkit.mysql.Flavor f = io.shardkit.mysql.Flavors.forVersion(io.shardkit.mysql.Queries.string(c, "SELECT @@version"));
                var executed = f.parseGtid(io.shardkit.mysql.Queries.string(c, f.gtidExecutedQuery()));
                return executed.countMissingFrom(f.parseGtid(gtids.toString()));
            }
        } catch (Exception e) {
            return -1; // source unreachable or moved: the status still shows the rest
        }
    }

    public static MergeStatus read(Plan plan, JobStore jobs, Credential admin) {
        List<TableProgress> tables = new ArrayList<>();
        List<StreamProgress> streams = new ArrayList<>();
        String[] hp = plan.target().address().split(":");
        Endpoint target = new Endpoint(hp[0], Integer.parseInt(hp[1]));
        try (Connection c = Connections.open(target, admin, ConnectionSettings.PROBE)) {
            for (Plan.TablePlan t : plan.tables()) {
                for (Plan.Source s : plan.sources()) {
                    long copied = 0;
                    boolean done = false;
                    try (PreparedStatement ps = c.prepareStatement("SELECT rows_copied, done FROM " + MetaTables.DB + ".copy_progress WHERE job_id = ? AND source = ? AND tbl = ?")) {
                        ps.setString(1, plan.id());
                        ps.setString(2, s.group());
                        ps.setString(3, t.table());
                        try (ResultSet rs = ps.executeQuery()) {
                            if (rs.next()) {
                                copied = rs.getLong(1);
                                done = rs.getInt(2) == 1;
                            }
                        }
                    }
                    tables.add(new TableProgress(s.group(), t.table(), copied, t.rowsPerSource().getOrDefault(s.group(), 0L), done));
                }
            }
            for (Plan.Source s : plan.sources()) {
                try (PreparedStatement ps = c.prepareStatement("SELECT events, gtid, updated_at, position FROM " + MetaTables.DB + ".stream_position WHERE job_id = ? AND source = ?")) {
                    ps.setString(1, plan.id());
                    ps.setString(2, s.group());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            streams.add(new StreamProgress(s.group(), rs.getLong(1), rs.getString(2), Duration.between(rs.getTimestamp(3).toInstant(), Instant.now()),
                                    behind(s, rs.getString(4), admin)));
                        } else {
                            streams.add(new StreamProgress(s.group(), 0, null, null, -1));
                        }
                    }
                }
            }
        } catch (SQLException e) {
            // not started yet (no _shardkit tables) or target down: report the catalog state alone
            if (e.getErrorCode() != 1146 && e.getErrorCode() != 1049) {
                return new MergeStatus(plan.id(), jobs.state(plan.id()), "target unreadable: " + io.shardkit.mysql.SqlErrors.describe(e), jobs.settings(plan.id()), tables, streams);
            }
        }
        return new MergeStatus(plan.id(), jobs.state(plan.id()), jobs.reason(plan.id()), jobs.settings(plan.id()), tables, streams);
    }
}
