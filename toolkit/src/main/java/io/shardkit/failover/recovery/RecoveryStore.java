package io.shardkit.failover.recovery;

import io.shardkit.catalog.Catalog;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Recoveries in the catalog: one row per failover, switchover or manual promotion (table
 * {@code recoveries}) and its steps, each with its duration and evidence, in the append-only
 * {@code failover_journal}. Anti-flap reads the rows back.
 */
public final class RecoveryStore {
    private final Catalog catalog;

    public RecoveryStore(Catalog catalog) {
        this.catalog = catalog;
    }

    /** A recovery as stored. */
    public record Row(String id, String eventId, String group, Trigger trigger, String code, String oldPrimary, String newPrimary, String host, String zone,
                      Instant startedAt, Instant finishedAt, String outcome, String reason, Instant acknowledgedAt, String evidenceJson, String rankingJson,
                      String timelineJson) {}

    public void begin(String id, String eventId, String group, Trigger trigger, String code, String oldPrimary, String host, String zone, String evidenceJson) {
        catalog.update("INSERT INTO recoveries (recovery_id, event_id, group_name, trigger_kind, analysis_code, old_primary, host_name, zone_name, started_at, outcome,"
                + " evidence_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", id, eventId, group, trigger.name(), code, oldPrimary, host, zone, Timestamp.from(Instant.now()),
                "running", evidenceJson);
    }

    public void step(String id, String group, int n, String name, String outcome, String evidenceJson) {
        catalog.journal(id, group, n, name, outcome, evidenceJson);
    }

    public void finish(String id, String outcome, String newPrimary, String reason, String rankingJson, String timelineJson) {
        catalog.update("UPDATE recoveries SET finished_at = ?, outcome = ?, new_primary = ?, reason = ?, ranking_json = ?, timeline_json = ? WHERE recovery_id = ?",
                Timestamp.from(Instant.now()), outcome, newPrimary, reason == null || reason.length() <= 2048 ? reason : reason.substring(0, 2048), rankingJson,
                timelineJson, id);
    }

    /** Marks every unacknowledged recovery of the group acknowledged; returns how many. */
    public int acknowledge(String group, String by) {
        return catalog.update("UPDATE recoveries SET acknowledged_at = ?, acknowledged_by = ? WHERE group_name = ? AND acknowledged_at IS NULL",
                Timestamp.from(Instant.now()), by, group);
    }

    /** Recoveries started since {@code since}, oldest first, for anti-flap. */
    public List<PastRecovery> since(Instant since) {
        return catalog.query("SELECT recovery_id, event_id, group_name, host_name, zone_name, started_at, trigger_kind, acknowledged_at FROM recoveries"
                + " WHERE started_at >= ? ORDER BY started_at", rs -> {
                    List<PastRecovery> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(new PastRecovery(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getTimestamp(6).toInstant(),
                                Trigger.valueOf(rs.getString(7)), rs.getTimestamp(8) != null));
                    }
                    return out;
                }, Timestamp.from(since));
    }

    /** The newest recoveries, newest first; of one group when {@code group} is not null. */
    public List<Row> history(String group, int limit) {
        String where = group == null ? "" : " WHERE group_name = ?";
        Object[] args = group == null ? new Object[0] : new Object[] {group};
        return catalog.query("SELECT recovery_id, event_id, group_name, trigger_kind, analysis_code, old_primary, new_primary, host_name, zone_name, started_at,"
                + " finished_at, outcome, reason, acknowledged_at, evidence_json, ranking_json, timeline_json FROM recoveries" + where
                + " ORDER BY started_at DESC LIMIT " + limit, rs -> {
                    List<Row> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), Trigger.valueOf(rs.getString(4)), rs.getString(5), rs.getString(6),
                                rs.getString(7), rs.getString(8), rs.getString(9), instant(rs.getTimestamp(10)), instant(rs.getTimestamp(11)), rs.getString(12),
                                rs.getString(13), instant(rs.getTimestamp(14)), rs.getString(15), rs.getString(16), rs.getString(17)));
                    }
                    return out;
                }, args);
    }

    /** The journal of one recovery, in step order. */
    public List<Catalog.JournalEntry> steps(String id) {
        return catalog.journal(id);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
