package io.shardkit.merge;

import io.shardkit.catalog.Catalog;
import java.sql.Timestamp;
import java.time.Instant;

/** Merge job states in the catalog, every transition checked against {@link JobState} and logged. */
public final class JobStore {
    private final Catalog catalog;

    public JobStore(Catalog catalog) {
        this.catalog = catalog;
    }

    public Plan plan(String id) {
        String json = catalog.planJson(id);
        if (json == null) throw new IllegalArgumentException("no merge plan '" + id + "' in the catalog (" + catalog.description() + ")");
        return PlanJson.read(json);
    }

    /** Current state; PLANNED when the plan exists but no job has started. */
    public JobState state(String id) {
        String s = catalog.query("SELECT state FROM jobs WHERE job_id = ?", rs -> rs.next() ? rs.getString(1) : null, id);
        return s == null ? JobState.PLANNED : JobState.valueOf(s);
    }

    public String reason(String id) {
        return catalog.query("SELECT state_reason FROM jobs WHERE job_id = ?", rs -> rs.next() ? rs.getString(1) : null, id);
    }

    /** Marks the job as driven by a live process (see {@link #runningElsewhere}). */
    public void heartbeat(String id) {
        catalog.update("UPDATE jobs SET updated_at = ? WHERE job_id = ?", Timestamp.from(Instant.now()), id);
    }

    /** True when a process has driven the job within the last few seconds. */
    public boolean runningElsewhere(String id) {
        Timestamp t = catalog.query("SELECT updated_at FROM jobs WHERE job_id = ?", rs -> rs.next() ? rs.getTimestamp(1) : null, id);
        return t != null && t.toInstant().isAfter(Instant.now().minusSeconds(5));
    }

    public synchronized void move(String id, JobState to, String reason) {
        JobState from = state(id);
        if (from == to && to != JobState.STREAMING && to != JobState.COPYING) return;
        if (!from.canMoveTo(to)) throw new IllegalStateException("merge " + id + " cannot go from " + from + " to " + to);
        Timestamp now = Timestamp.from(Instant.now());
        if (catalog.update("UPDATE jobs SET state = ?, state_reason = ?, updated_at = ?, revision = revision + 1 WHERE job_id = ?", to.name(), reason, now, id) == 0) {
            catalog.update("INSERT INTO jobs (job_id, plan_id, state, state_reason, created_at, updated_at, revision) VALUES (?, ?, ?, ?, ?, ?, 1)",
                    id, id, to.name(), reason, now, now);
        }
        catalog.update("INSERT INTO job_transitions (job_id, from_state, to_state, reason, happened_at) VALUES (?, ?, ?, ?, ?)", id, from.name(), to.name(), reason, now);
    }
}
