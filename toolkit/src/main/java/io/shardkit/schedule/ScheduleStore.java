package io.shardkit.schedule;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardkit.catalog.Catalog;
import io.shardkit.catalog.CatalogException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Schedules and their runs in the catalog. A run is claimed by inserting it: the unique key on
 * (schedule, fire time) lets exactly one daemon claim a due time, whichever zone it runs in, and
 * the claim and the look for a run still in progress are one transaction, so a schedule never has
 * two runs at once.
 */
public final class ScheduleStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Catalog catalog;

    public ScheduleStore(Catalog catalog) {
        this.catalog = catalog;
    }

    /** Stores a schedule; an existing one of that name is refused unless {@code replace}. */
    public void add(Schedule s, boolean replace) {
        catalog.inTransaction(tx -> {
            boolean exists = tx.query("SELECT COUNT(*) FROM schedules WHERE schedule_id = ?", rs -> rs.next() && rs.getInt(1) > 0, s.name());
            if (exists && !replace) throw new IllegalArgumentException("schedule '" + s.name() + "' exists already (--replace to change it)");
            if (exists) tx.update("DELETE FROM schedules WHERE schedule_id = ?", s.name());
            tx.update("INSERT INTO schedules (schedule_id, cron_expr, runbook, enabled, created_at, runbook_path, vars_json, time_zone, missed)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    s.name(), s.cron().text(), s.runbookText(), !s.paused(), Timestamp.from(s.createdAt()), s.runbookPath(), json(s.vars()),
                    s.cron().zone().getId(), s.missed().word());
            return null;
        });
    }

    public Optional<Schedule> get(String name) {
        return Optional.ofNullable(catalog.query(SELECT + " WHERE schedule_id = ?", rs -> rs.next() ? schedule(rs) : null, name));
    }

    /** The named schedule, or an error that says there is none. */
    public Schedule require(String name) {
        return get(name).orElseThrow(() -> new IllegalArgumentException("no schedule named '" + name + "' (schedule list shows them)"));
    }

    public List<Schedule> list() {
        return catalog.query(SELECT + " ORDER BY schedule_id", rs -> {
            List<Schedule> out = new ArrayList<>();
            while (rs.next()) out.add(schedule(rs));
            return out;
        });
    }

    /** Removes a schedule (its run history stays); false when there was none. */
    public boolean remove(String name) {
        return catalog.update("DELETE FROM schedules WHERE schedule_id = ?", name) == 1;
    }

    public void paused(String name, boolean paused) {
        if (catalog.update("UPDATE schedules SET enabled = ? WHERE schedule_id = ?", !paused, name) != 1) require(name);
    }

    /** The latest due time any daemon claimed for this schedule (manual runs aside), or empty. */
    public Optional<Instant> lastFireTime(String name) {
        return Optional.ofNullable(catalog.query("SELECT MAX(fire_time) FROM schedule_runs WHERE schedule_id = ? AND trigger_kind <> 'MANUAL'",
                rs -> rs.next() && rs.getTimestamp(1) != null ? rs.getTimestamp(1).toInstant() : null, name));
    }

    /** The outcome of a claim. */
    public sealed interface Claim {
        /** This daemon runs it. */
        record Won(long runId) implements Claim {}
        /** Another daemon claimed this due time first. */
        record Taken() implements Claim {}
        /** A run of this schedule still runs: the due time is recorded as skipped. */
        record Overlap(long runningId) implements Claim {}
    }

    /** Claims {@code fireTime} of {@code name} for {@code owner}. */
    public Claim claim(String name, Instant fireTime, String owner, ScheduleRun.Trigger trigger) {
        Timestamp at = Timestamp.from(fireTime);
        try {
            return catalog.inTransaction(tx -> {
                Long running = tx.query("SELECT run_id FROM schedule_runs WHERE schedule_id = ? AND outcome = 'RUNNING'", rs -> rs.next() ? rs.getLong(1) : null, name);
                Timestamp now = Timestamp.from(Instant.now());
                if (running != null) {
                    tx.update("INSERT INTO schedule_runs (schedule_id, fire_time, started_at, finished_at, owner, outcome, trigger_kind, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            name, at, now, now, owner, ScheduleRun.Outcome.SKIPPED_OVERLAP.name(), trigger.name(), "run " + running + " still running");
                    return new Claim.Overlap(running);
                }
                long id = tx.insert("INSERT INTO schedule_runs (schedule_id, fire_time, started_at, owner, outcome, trigger_kind) VALUES (?, ?, ?, ?, ?, ?)",
                        name, at, now, owner, ScheduleRun.Outcome.RUNNING.name(), trigger.name());
                return new Claim.Won(id);
            });
        } catch (CatalogException e) {
            if (claimed(name, at)) return new Claim.Taken(); // the unique key refused ours: another daemon has it
            throw e;
        }
    }

    private boolean claimed(String name, Timestamp at) {
        return catalog.query("SELECT COUNT(*) FROM schedule_runs WHERE schedule_id = ? AND fire_time = ?", rs -> rs.next() && rs.getInt(1) > 0, name, at);
    }

    public void finish(long runId, ScheduleRun.Outcome outcome, String detail) {
        catalog.update("UPDATE schedule_runs SET outcome = ?, finished_at = ?, detail = ? WHERE run_id = ? AND outcome = 'RUNNING'",
                outcome.name(), Timestamp.from(Instant.now()), detail == null ? null : detail.length() > 2000 ? detail.substring(0, 2000) : detail, runId);
    }

    /**
     * Marks ABANDONED every run still RUNNING under another owner: called by a daemon that has just
     * become the leader, when the one before it has stopped acting (or died) and its runs ended with it.
     */
    public int abandonOthers(String owner) {
        return catalog.update("UPDATE schedule_runs SET outcome = 'ABANDONED', finished_at = ?, detail = ? WHERE outcome = 'RUNNING' AND owner <> ?",
                Timestamp.from(Instant.now()), "its daemon stopped leading while it ran; taken over by " + owner, owner);
    }

    /** The newest runs first; {@code name} null for every schedule. */
    public List<ScheduleRun> history(String name, int limit) {
        String where = name == null ? "" : " WHERE schedule_id = ?";
        Object[] args = name == null ? new Object[0] : new Object[] {name};
        return catalog.query("SELECT run_id, schedule_id, fire_time, started_at, finished_at, owner, outcome, trigger_kind, detail FROM schedule_runs"
                + where + " ORDER BY fire_time DESC, run_id DESC LIMIT " + Math.max(1, limit), rs -> {
                    List<ScheduleRun> out = new ArrayList<>();
                    while (rs.next()) {
                        Timestamp fin = rs.getTimestamp(5);
                        String trig = rs.getString(8);
                        out.add(new ScheduleRun(rs.getLong(1), rs.getString(2), rs.getTimestamp(3).toInstant(), rs.getTimestamp(4).toInstant(),
                                fin == null ? null : fin.toInstant(), rs.getString(6), ScheduleRun.Outcome.valueOf(rs.getString(7)),
                                trig == null ? ScheduleRun.Trigger.DUE : ScheduleRun.Trigger.valueOf(trig), rs.getString(9)));
                    }
                    return out;
                }, args);
    }

    private static final String SELECT = "SELECT schedule_id, cron_expr, runbook, enabled, created_at, runbook_path, vars_json, time_zone, missed FROM schedules";

    private static Schedule schedule(ResultSet rs) throws SQLException {
        return new Schedule(rs.getString(1), Cron.parse(rs.getString(2), rs.getString(8)), rs.getString(3), rs.getString(6), vars(rs.getString(7)),
                rs.getString(9) == null ? Schedule.Missed.RUN_ONCE : Schedule.Missed.parse(rs.getString(9)), !rs.getBoolean(4), rs.getTimestamp(5).toInstant());
    }

    private static String json(Map<String, String> vars) {
        try {
            return JSON.writeValueAsString(new TreeMap<>(vars));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> vars(String json) {
        if (json == null) return Map.of();
        try {
            return JSON.readValue(json, new TypeReference<TreeMap<String, String>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("schedule variables in the catalog are not JSON: " + e.getOriginalMessage());
        }
    }
}
