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
        catalog.update("UPDATE jobs SET updated_at = ?, owner = ? WHERE job_id = ?", Timestamp.from(Instant.now()), me(), id);
    }

    /**
     * Gives the job up when a run returns: a stale owner would otherwise keep another process's
     * 'merge resume' out for the heartbeat's five seconds (the owner's pid is alive).
     */
    private void release(String id) {
        catalog.update("UPDATE jobs SET owner = NULL WHERE job_id = ? AND owner = ?", id, me());
    }

    /**
     * {@link #release} once the run's heartbeat thread has stopped, unless the job has ended (cut
     * over, rolled back, aborted): then whoever drives it now (a rollback stream in this same
     * process) keeps it. The reason when it could not (the owner then goes stale in 5 s).
     */
    public java.util.Optional<String> releaseAfter(Thread heartbeats, String id) {
        try {
            heartbeats.join(5_000);
            if (!state(id).terminal()) release(id);
            return java.util.Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.of("interrupted");
        } catch (RuntimeException e) {
            return java.util.Optional.of(String.valueOf(e.getMessage()));
        }
    }

    private static String me() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "localhost";
        }
        return host + ":" + ProcessHandle.current().pid();
    }

    /**
     * True when another live process drives the job: its heartbeat is fresh and, when it runs on
     * this host, its pid is alive (a process killed with -9 leaves a fresh heartbeat behind).
     */
    public boolean runningElsewhere(String id) {
        String[] row = catalog.query("SELECT updated_at, owner FROM jobs WHERE job_id = ?",
                rs -> rs.next() ? new String[] {rs.getTimestamp(1).toInstant().toString(), rs.getString(2)} : null, id);
        if (row == null || row[1] == null || row[1].equals(me())) return false;
        if (Instant.parse(row[0]).isBefore(Instant.now().minusSeconds(5))) return false;
        String mine = me();
        String host = row[1].substring(0, row[1].lastIndexOf(':'));
        if (!host.equals(mine.substring(0, mine.lastIndexOf(':')))) return true;
        long pid = Long.parseLong(row[1].substring(row[1].lastIndexOf(':') + 1));
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** True once the job's copy has finished (it has been STREAMING at least once). */
    public boolean copyFinished(String id) {
        return catalog.query("SELECT COUNT(*) FROM job_transitions WHERE job_id = ? AND to_state = ?", rs -> rs.next() && rs.getLong(1) > 0, id, JobState.STREAMING.name());
    }

    /** True when a live process (this one included) drives the job: the stream is running. */
    public boolean live(String id) {
        String[] row = catalog.query("SELECT updated_at, owner FROM jobs WHERE job_id = ?",
                rs -> rs.next() ? new String[] {rs.getTimestamp(1).toInstant().toString(), rs.getString(2)} : null, id);
        if (row == null || row[1] == null) return false;
        if (row[1].equals(me())) return Instant.parse(row[0]).isAfter(Instant.now().minusSeconds(5));
        return runningElsewhere(id);
    }

    /** Live settings of a job (merge throttle), as stored. */
    public record Settings(long maxLagMillis, int maxThreadsRunning, int chunkSize, String throttleReason) {}

    public Settings settings(String id) {
        return catalog.query("SELECT max_lag_ms, max_threads_running, chunk_size, throttle_reason FROM job_settings WHERE job_id = ?",
                rs -> rs.next() ? new Settings(rs.getLong(1), rs.getInt(2), rs.getInt(3), rs.getString(4)) : null, id);
    }

    public void saveSettings(String id, long maxLagMillis, int maxThreadsRunning, int chunkSize) {
        Timestamp now = Timestamp.from(Instant.now());
        if (catalog.update("UPDATE job_settings SET max_lag_ms = ?, max_threads_running = ?, chunk_size = ?, updated_at = ? WHERE job_id = ?",
                maxLagMillis, maxThreadsRunning, chunkSize, now, id) == 0) {
            catalog.update("INSERT INTO job_settings (job_id, max_lag_ms, max_threads_running, chunk_size, updated_at) VALUES (?, ?, ?, ?, ?)",
                    id, maxLagMillis, maxThreadsRunning, chunkSize, now);
        }
    }

    /** The running process reports whether (and why) the copy is throttled. */
    public void reportThrottle(String id, String reason) {
        catalog.update("UPDATE job_settings SET throttle_reason = ? WHERE job_id = ?", reason, id);
    }

    public synchronized void move(String id, JobState to, String reason) {
        JobState from = state(id);
        if (from == to && to != JobState.STREAMING && to != JobState.COPYING) return;
        if (!from.canMoveTo(to)) throw new IllegalStateException("merge " + id + " cannot go from " + from + " to " + to);
        Timestamp now = Timestamp.from(Instant.now());
        // the state and its transition in one transaction: the history never lacks the move that made the state
        catalog.inTransaction(tx -> {
            if (tx.update("UPDATE jobs SET state = ?, state_reason = ?, updated_at = ?, revision = revision + 1 WHERE job_id = ?", to.name(), reason, now, id) == 0) {
                tx.update("INSERT INTO jobs (job_id, plan_id, state, state_reason, created_at, updated_at, revision) VALUES (?, ?, ?, ?, ?, ?, 1)",
                        id, id, to.name(), reason, now, now);
            }
            return tx.update("INSERT INTO job_transitions (job_id, from_state, to_state, reason, happened_at) VALUES (?, ?, ?, ?, ?)", id, from.name(), to.name(), reason, now);
        });
    }
}
