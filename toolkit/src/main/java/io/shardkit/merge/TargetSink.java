package io.shardkit.merge;

import io.shardkit.merge.stream.ChangeSink;
import io.shardkit.merge.stream.RowChange;
import io.shardkit.merge.stream.SchemaChange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import io.shardkit.mysql.SqlErrors;
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
    /** Rows whose image the binlog decoder could not carry are read again from their source. */
    private final Reread reread;

    ConflictGuard guard() {
        return guard;
    }

    TargetSink(String jobId, Plan plan, DataSource target, MergeControl control, java.util.function.Function<String, DataSource> sources) {
        this.jobId = jobId;
        this.guard = new ConflictGuard(jobId, plan, target, sources);
        this.reread = new Reread(plan.database(), sources);
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
        try {
            applyBatch(source, rows, lastPosition, marker);
        } catch (SQLException e) {
            if (SqlErrors.classify(e) != SqlErrors.ErrorClass.FATAL) throw e;
            throw pinpoint(source, rows, e);
        } catch (RowMapper.KeyConflict e) {
            throw e;
        } catch (RuntimeException e) {
            if (ddlSeen != null) throw e;
            throw pinpoint(source, rows, e);
        }
        events.computeIfAbsent(source, k -> new AtomicLong()).addAndGet(rows.size());
        if (marker[0] != null) markers.merge(source, marker[0], Math::max);
        control.stage("stream.after-commit");
    }

    private void applyBatch(String source, List<RowChange> rows, Map<String, Object> lastPosition, Long[] marker) throws SQLException {
        Retry.onConflict(() -> {
            try (Connection c = target.getConnection()) {
                c.setAutoCommit(false);
                // the conflict guard's locking reads need gap locks (see ConflictGuard); the pool resets the level on return
                if (guard.needed()) c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                try {
                    refuseReadOnly(c);
                    List<Touched> touched = new ArrayList<>();
                    marker[0] = applyRows(c, source, rows, touched);
                    recordTouched(c, source, touched);
                    if (lastPosition != null) savePosition(c, source, lastPosition, rows, marker[0]);
                    control.stage("stream.before-commit");
                    // the same moment, per source and only for batches with planned rows (fault injection in tests)
                    if (rows.stream().anyMatch(r -> plan.database().equals(r.database()))) control.stage("stream.before-commit." + source);
                    c.commit();
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                }
            }
        });
    }

    /**
     * Which row of a refused batch the target will not take: each row applied alone, in order,
     * in one transaction that is rolled back whatever happens. The first that fails is named with
     * its key, the column the server's message names, and that message.
     */
    private ApplyRefused pinpoint(String source, List<RowChange> rows, Exception batchError) {
        String message = batchError instanceof SQLException se ? SqlErrors.describe(se) : String.valueOf(batchError.getMessage());
        try (Connection c = target.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (RowChange r : rows) {
                    if (!plan.database().equals(r.database())) continue;
                    java.sql.Savepoint sp = c.setSavepoint();
                    try {
                        applyRows(c, source, List.of(r), new ArrayList<>());
                        c.releaseSavepoint(sp);
                    } catch (SQLException | RuntimeException e) {
                        String why = e instanceof SQLException se ? SqlErrors.describe(se) : String.valueOf(e.getMessage());
                        return new ApplyRefused(source, r.table(), keyOf(source, r), ApplyRefused.columnIn(why), why, batchError);
                    }
                }
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            batchError.addSuppressed(e);
        }
        RowChange first = rows.stream().filter(r -> plan.database().equals(r.database())).findFirst().orElse(null);
        return new ApplyRefused(source, first == null ? "?" : first.table(), first == null ? "?" : keyOf(source, first) + " (or a later row of its batch)",
                ApplyRefused.columnIn(message), message, batchError);
    }

    private String keyOf(String source, RowChange r) {
        RowMapper m = mappers.get(source).get(r.table());
        Map<String, Object> image = r.after() != null ? r.after() : r.before();
        return m == null || image == null ? "?" : io.shardkit.mysql.KeyValues.encode(Arrays.asList(m.key(image)));
    }

    /**
     * shardkit's administrative user passes read_only on MariaDB, so a target primary demoted by a
     * failover would still take the apply's writes (errant transactions on a replica). A read-only
     * target is a moved or frozen one: the job looks for the new primary instead.
     */
    static void refuseReadOnly(Connection c) throws SQLException {
        if (readOnly(c)) throw new SQLException("the target is read-only (its primary moved, or it is fenced): not applying there", "HY000", 1290);
    }

    /** read_only on this server (both flavors have it; MySQL's super_read_only turns it on too). */
    static boolean readOnly(Connection c) throws SQLException {
        try (var st = c.createStatement(); var rs = st.executeQuery("SELECT @@GLOBAL.read_only")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    private boolean touchesPlan(SchemaChange d) {
        String text = d.ddl().toLowerCase(java.util.Locale.ROOT);
        if (d.snapshot() || d.database() != null && d.database().equals(MetaTables.DB)) return false;
        return plan.tables().stream().anyMatch(t -> text.matches("(?s).*\\b" + java.util.regex.Pattern.quote(t.table().toLowerCase(java.util.Locale.ROOT)) + "\\b.*"))
                && (d.database() == null || d.database().equals(plan.database()) || text.contains(plan.database().toLowerCase(java.util.Locale.ROOT)));
    }

    /** Applies the rows; returns the highest marker seq of this job seen in them, or null. */
    /** One state-setting write: an upsert of a full row, or a delete by key. */
    private record Op(String table, boolean upsert, Object[] data, Object[] key, boolean created, String keyText) {
        /** The key's canonical text, computed once: the touched-key record and the compaction both need it. */
        Op(String table, boolean upsert, Object[] data, Object[] key, boolean created) {
            this(table, upsert, data, key, created, io.shardkit.mysql.KeyValues.encode(Arrays.asList(key)));
        }
    }

    private Long applyRows(Connection c, String source, List<RowChange> rows, List<Touched> touched) throws SQLException {
        Long marker = null;
        List<Op> ops = new ArrayList<>();
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
            // an image with a value the decoder could not carry (a zero date) is replaced by the row as it is now; a row gone
            // since is not written (its delete follows in the stream)
            Map<String, Object> after = r.after() == null || r.uncertain().isEmpty() ? r.after() : reread.current(source, r.table(), m.sourceKey(), r.after());
            switch (r.op()) {
                case INSERT -> {
                    if (after != null) ops.add(new Op(r.table(), true, m.values(after), m.key(after), true));
                }
                case DELETE -> ops.add(new Op(r.table(), false, m.key(r.before()), m.key(r.before()), false));
                case UPDATE -> {
                    Object[] oldKey = m.key(r.before());
                    Object[] newKey = m.key(r.after());
                    boolean moved = !Arrays.deepEquals(oldKey, newKey);
                    if (moved) ops.add(new Op(r.table(), false, oldKey, oldKey, false)); // primary key changed
                    if (after != null) ops.add(new Op(r.table(), true, m.values(after), newKey, moved));
                }
            }
        }
        for (Op o : ops) touched.add(new Touched(o.table(), o.keyText()));
        String runTable = null;
        boolean runIsUpsert = true;
        List<Object[]> run = new ArrayList<>();
        List<Boolean> created = new ArrayList<>();
        for (Op o : compact(c, source, ops)) {
            if (runTable != null && (!runTable.equals(o.table()) || runIsUpsert != o.upsert())) run = flush(c, runTable, runIsUpsert, run, created, source);
            runTable = o.table();
            runIsUpsert = o.upsert();
            run.add(o.data());
            if (o.upsert()) created.add(o.created());
        }
        if (runTable != null) flush(c, runTable, runIsUpsert, run, created, source);
        return marker;
    }

    /**
     * Within each stretch of one table's writes, keeps only each key's last write (deletes first,
     * then upserts): the writes set state, so the last one per key is the outcome, and a batch of
     * small alternating runs (update, delete, insert...) becomes two statements. Only where order
     * between different keys cannot matter: no secondary unique key (two rows could trade a value)
     * and no foreign key (a parent must precede its child).
     */
    private List<Op> compact(Connection c, String source, List<Op> ops) throws SQLException {
        List<Op> out = new ArrayList<>();
        int i = 0;
        while (i < ops.size()) {
            String table = ops.get(i).table();
            int j = i;
            while (j < ops.size() && ops.get(j).table().equals(table)) j++;
            List<Op> stretch = ops.subList(i, j);
            if (stretch.size() < 2 || !orderFree(c, table, mappers.get(source).get(table))) {
                out.addAll(stretch);
            } else {
                java.util.LinkedHashMap<String, Op> last = new java.util.LinkedHashMap<>();
                for (Op o : stretch) {
                    String k = o.keyText();
                    Op before = last.remove(k);
                    // a key created in this batch stays created whatever follows (the conflict check needs to know)
                    last.put(k, before != null && before.created() && o.upsert() ? new Op(o.table(), true, o.data(), o.key(), true, k) : o);
                }
                for (Op o : last.values()) if (!o.upsert()) out.add(o);
                for (Op o : last.values()) if (o.upsert()) out.add(o);
            }
            i = j;
        }
        return out;
    }

    private final Map<String, Boolean> orderFree = new ConcurrentHashMap<>();

    private boolean orderFree(Connection c, String table, RowMapper m) throws SQLException {
        Boolean known = orderFree.get(table);
        if (known != null) return known;
        boolean free = !guard.hasSecondaryUnique(c, table, m.targetKey());
        if (free) {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM information_schema.KEY_COLUMN_USAGE WHERE REFERENCED_TABLE_NAME IS NOT NULL"
                    + " AND ((TABLE_SCHEMA = ? AND TABLE_NAME = ?) OR (REFERENCED_TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME = ?))")) {
                ps.setString(1, plan.database());
                ps.setString(2, table);
                ps.setString(3, plan.database());
                ps.setString(4, table);
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    free = rs.getLong(1) == 0;
                }
            }
        }
        orderFree.put(table, free);
        return free;
    }

    private List<Object[]> flush(Connection c, String table, boolean upsert, List<Object[]> run, List<Boolean> created, String source) throws SQLException {
        RowMapper m = mappers.get(source).get(table);
        if (upsert) {
            guard.check(c, source, table, m, run, List.copyOf(created));
            io.shardkit.mysql.RowWrites.upsert(c, plan.database(), table, m.targetColumns(), m.targetKey(), run);
        } else {
            io.shardkit.mysql.RowWrites.delete(c, plan.database(), table, m.targetKey(), run);
        }
        created.clear();
        return new ArrayList<>();
    }

    private record Touched(String table, String key) {}

    /** The target keys this batch wrote, in the batch's transaction (see {@link TouchedLog}). */
    private void recordTouched(Connection c, String source, List<Touched> touched) throws SQLException {
        Map<String, java.util.Set<String>> keys = new java.util.LinkedHashMap<>();
        for (Touched t : touched) keys.computeIfAbsent(t.table(), k -> new java.util.LinkedHashSet<>()).add(t.key());
        TouchedLog.record(c, jobId, source, keys);
    }

    private void savePosition(Connection c, String source, Map<String, Object> position, List<RowChange> rows, Long marker) throws SQLException {
        String gtid = rows.isEmpty() ? null : rows.getLast().gtid();
        if (gtid != null) lastGtid.put(source, gtid);
        MetaTables.savePosition(c, jobId, source, position, gtid, rows.size(), marker);
    }
}
