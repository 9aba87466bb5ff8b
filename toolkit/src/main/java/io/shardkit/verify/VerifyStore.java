package io.shardkit.verify;

import io.shardkit.catalog.Catalog;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Verify results in the catalog: one row per table and run, with the rows that differed. */
public final class VerifyStore {
    /** Rows kept per run; the count is always exact. */
    static final int DIFFS_KEPT = 10_000;

    private final Catalog catalog;

    public VerifyStore(Catalog catalog) {
        this.catalog = catalog;
    }

    /** The latest run of one table. */
    public record Run(long id, String table, Instant startedAt, Instant finishedAt, String mode, long rows, long diffs, boolean settled, Timestamp targetClockStart) {
        public boolean clean() {
            return diffs == 0 && settled;
        }
    }

    public long save(String jobId, TableResult r, Instant startedAt, Timestamp targetClockStart) {
        // the run and its differences together: never a run without its rows, and one sync of an embedded catalog, not one per row
        return catalog.inTransaction(tx -> save(tx, jobId, r, startedAt, targetClockStart));
    }

    private static long save(Catalog catalog, String jobId, TableResult r, Instant startedAt, Timestamp targetClockStart) {
        long id = catalog.insert("INSERT INTO verify_runs (job_id, table_name, started_at, finished_at, chunks, rows_checked, mismatched_chunks, mismatched_rows,"
                        + " outcome, mode, duration_ms, target_clock_start, settled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                jobId, r.table(), Timestamp.from(startedAt), Timestamp.from(Instant.now()), r.chunks(), r.rows(), r.mismatchedChunks(), (long) r.diffs().size(),
                r.clean() ? (r.settled() ? "clean" : "clean-unsettled") : "diffs", r.mode(), r.millis(), targetClockStart, r.settled());
        for (RowDiff d : r.diffs().subList(0, Math.min(DIFFS_KEPT, r.diffs().size()))) {
            catalog.update("INSERT INTO verify_diffs (run_id, source_group, kind, key_json, table_name) VALUES (?, ?, ?, ?, ?)",
                    id, d.source(), d.kind().name(), d.keyText(), d.table());
        }
        return id;
    }

    /** The latest run per table of this job. */
    public Map<String, Run> latest(String jobId) {
        return catalog.query("SELECT run_id, table_name, started_at, finished_at, mode, rows_checked, mismatched_rows, settled, target_clock_start FROM verify_runs"
                + " WHERE job_id = ? ORDER BY run_id", rs -> {
                    Map<String, Run> out = new LinkedHashMap<>();
                    while (rs.next()) {
                        out.put(rs.getString(2), new Run(rs.getLong(1), rs.getString(2), rs.getTimestamp(3).toInstant(),
                                rs.getTimestamp(4) == null ? null : rs.getTimestamp(4).toInstant(), rs.getString(5), rs.getLong(6), rs.getLong(7),
                                rs.getBoolean(8), rs.getTimestamp(9)));
                    }
                    return out;
                }, jobId);
    }

    /** The stored differing rows of one run. */
    public List<String[]> diffs(long runId) {
        return catalog.query("SELECT kind, key_json, source_group FROM verify_diffs WHERE run_id = ? ORDER BY diff_id", rs -> {
            List<String[]> out = new java.util.ArrayList<>();
            while (rs.next()) out.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
            return out;
        }, runId);
    }
}
