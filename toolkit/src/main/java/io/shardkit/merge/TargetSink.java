package io.shardkit.merge;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardkit.merge.stream.ChangeSink;
import io.shardkit.merge.stream.RowChange;
import io.shardkit.merge.stream.SchemaChange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * Applies one source's stream batches to the target: the rows, in binlog order, and the stream
 * position after them, in one target transaction. Runs of the same kind on the same table become
 * one statement; order across runs is kept (unique secondary keys make order matter).
 */
final class TargetSink implements ChangeSink {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String jobId;
    private final Plan plan;
    private final DataSource target;
    private final MergeControl control;
    private final Map<String, Map<String, RowMapper>> mappers = new ConcurrentHashMap<>();
    final Map<String, Long> markers = new ConcurrentHashMap<>();
    final Map<String, AtomicLong> events = new ConcurrentHashMap<>();
    final Map<String, String> lastGtid = new ConcurrentHashMap<>();
    volatile String ddlSeen;

    private final ConflictGuard guard;

    TargetSink(String jobId, Plan plan, DataSource target, MergeControl control, java.util.function.Function<String, DataSource> sources) {
        this.jobId = jobId;
        this.guard = new ConflictGuard(jobId, plan, target, sources);
        this.plan = plan;
        this.target = target;
        this.control = control;
        for (Plan.Source s : plan.sources()) {
            Map<String, RowMapper> m = new ConcurrentHashMap<>();
            for (Plan.TablePlan t : plan.tables()) m.put(t.table(), new RowMapper(plan, t, s.group()));
            mappers.put(s.group(), m);
        }
    }

    @Override
    public void apply(String source, List<RowChange> rows, List<SchemaChange> ddl, Map<String, Object> lastPosition) throws Exception {
        for (SchemaChange d : ddl) {
            if (touchesPlan(d)) {
                ddlSeen = "DDL on source " + source + ": " + d.ddl().strip();
                control.pause();
                throw new IllegalStateException(ddlSeen);
            }
        }
        control.awaitRunnable();
        Long[] marker = {null};
        Retry.onConflict(() -> {
            try (Connection c = target.getConnection()) {
                c.setAutoCommit(false);
                try {
                    List<Touched> touched = new ArrayList<>();
                    marker[0] = applyRows(c, source, rows, touched);
                    recordTouched(c, source, touched);
                    if (lastPosition != null) savePosition(c, source, lastPosition, rows, marker[0]);
                    control.stage("stream.before-commit");
                    c.commit();
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                }
            }
        });
        events.computeIfAbsent(source, k -> new AtomicLong()).addAndGet(rows.size());
        if (marker[0] != null) markers.merge(source, marker[0], Math::max);
        control.stage("stream.after-commit");
    }

    private boolean touchesPlan(SchemaChange d) {
        String text = d.ddl().toLowerCase(java.util.Locale.ROOT);
        if (d.snapshot() || d.database() != null && d.database().equals(MetaTables.DB)) return false;
        return plan.tables().stream().anyMatch(t -> text.matches("(?s).*\\b" + java.util.regex.Pattern.quote(t.table().toLowerCase(java.util.Locale.ROOT)) + "\\b.*"))
                && (d.database() == null || d.database().equals(plan.database()) || text.contains(plan.database().toLowerCase(java.util.Locale.ROOT)));
    }

    /** Applies the rows; returns the highest marker seq of this job seen in them, or null. */
    private Long applyRows(Connection c, String source, List<RowChange> rows, List<Touched> touched) throws SQLException {
        Long marker = null;
        String runTable = null;
        boolean runIsUpsert = true;
        List<Object[]> run = new ArrayList<>();
        List<Boolean> created = new ArrayList<>();
        for (RowChange r : rows) {
            if (MetaTables.DB.equals(r.database())) {
                if (r.after() != null && jobId.equals(r.after().get("job_id")) && source.equals(r.after().get("source"))) {
                    long seq = ((Number) r.after().get("seq")).longValue();
                    marker = marker == null ? seq : Math.max(marker, seq);
                }
                continue;
            }
            if (!plan.database().equals(r.database())) continue;
            RowMapper m = mappers.get(source).get(r.table());
            if (m == null) continue;
            List<Object[]> deletes = new ArrayList<>();
            Object[] upsert = null;
            boolean createsKey = false;
            switch (r.op()) {
                case INSERT -> {
                    upsert = m.values(r.after());
                    createsKey = true;
                }
                case DELETE -> deletes.add(m.key(r.before()));
                case UPDATE -> {
                    Object[] oldKey = m.key(r.before());
                    if (!Arrays.deepEquals(oldKey, m.key(r.after()))) {
                        deletes.add(oldKey); // primary key changed
                        createsKey = true;
                    }
                    upsert = m.values(r.after());
                }
            }
            for (Object[] k : deletes) touched.add(new Touched(r.table(), k));
            if (upsert != null) touched.add(new Touched(r.table(), m.key(r.after())));
            for (Object[] k : deletes) {
                if (runTable != null && (!runTable.equals(r.table()) || runIsUpsert)) run = flush(c, runTable, runIsUpsert, run, created, source);
                runTable = r.table();
                runIsUpsert = false;
                run.add(k);
            }
            if (upsert != null) {
                if (runTable != null && (!runTable.equals(r.table()) || !runIsUpsert)) run = flush(c, runTable, runIsUpsert, run, created, source);
                runTable = r.table();
                runIsUpsert = true;
                run.add(upsert);
                created.add(createsKey);
            }
        }
        if (runTable != null) flush(c, runTable, runIsUpsert, run, created, source);
        return marker;
    }

    private List<Object[]> flush(Connection c, String table, boolean upsert, List<Object[]> run, List<Boolean> created, String source) throws SQLException {
        RowMapper m = mappers.get(source).get(table);
        if (upsert) {
            guard.check(c, source, table, m, run, List.copyOf(created));
            io.shardkit.mysql.RowWrites.upsert(c, plan.database(), table, m.targetColumns(), run);
        } else {
            io.shardkit.mysql.RowWrites.delete(c, plan.database(), table, m.targetKey(), run);
        }
        created.clear();
        return new ArrayList<>();
    }

    private record Touched(String table, Object[] key) {}

    /**
     * The target keys this batch wrote, in the batch's transaction: an incremental verify (and the
     * cutover's final one) re-checks exactly the keys written since the last clean pass.
     */
    private void recordTouched(Connection c, String source, List<Touched> touched) throws SQLException {
        if (touched.isEmpty()) return;
        java.util.Set<String> seen = new java.util.HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + MetaTables.DB + ".touched (job_id, tbl, key_hash, key_json, source, touched_at)"
                + " VALUES (?, ?, UNHEX(MD5(?)), ?, ?, NOW(6)) ON DUPLICATE KEY UPDATE source = VALUES(source), touched_at = VALUES(touched_at)")) {
            for (Touched t : touched) {
                String key = io.shardkit.mysql.KeyValues.encode(Arrays.asList(t.key()));
                if (!seen.add(t.table() + "." + key)) continue;
                ps.setString(1, jobId);
                ps.setString(2, t.table());
                ps.setString(3, t.table() + "." + key);
                ps.setString(4, key);
                ps.setString(5, source);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private void savePosition(Connection c, String source, Map<String, Object> position, List<RowChange> rows, Long marker) throws SQLException {
        String gtid = rows.isEmpty() ? null : rows.getLast().gtid();
        if (gtid != null) lastGtid.put(source, gtid);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + MetaTables.DB + ".stream_position (job_id, source, position, gtid, events, updated_at"
                + ", marker) VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE position = VALUES(position), gtid = COALESCE(VALUES(gtid), gtid),"
                + " events = events + VALUES(events), marker = GREATEST(marker, VALUES(marker)), updated_at = VALUES(updated_at)")) {
            ps.setString(1, jobId);
            ps.setString(2, source);
            ps.setString(3, JSON.writeValueAsString(position));
            ps.setString(4, gtid);
            ps.setLong(5, rows.size());
            ps.setTimestamp(6, Timestamp.from(Instant.now()));
            ps.setLong(7, marker == null ? 0 : marker);
            ps.executeUpdate();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SQLException(e);
        }
    }
}
