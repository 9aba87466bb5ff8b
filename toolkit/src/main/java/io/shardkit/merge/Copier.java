package io.shardkit.merge;

import static io.shardkit.mysql.SqlText.identifier;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardkit.mysql.LoadData;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * Copies one source table to the target in key order, one chunk per pair of transactions.
 *
 * <p>Why this is correct alongside the stream (which started before the first chunk): a chunk is
 * read with shared locks that are held until the chunk and its checkpoint are committed on the
 * target. A source write to those rows therefore commits after the copy's target write, so its
 * binlog event is applied after it and wins. A write that committed before the chunk was read is
 * already in the chunk; its event, applied before or after, sets the row to an image no newer than
 * the chunk's, and every later change has its own later event. Deleted rows are never resurrected:
 * a delete either precedes the read (the row is not in the chunk) or follows the commit (its event
 * is applied after the copy). So once the stream has passed the end of the copy, target = source.
 *
 * <p>How a chunk is written: as {@code LOAD DATA LOCAL} from memory when the target allows it
 * (the fastest way into InnoDB here), else, or when the load reports any warning or skipped row,
 * as batched inserts that keep rows already there, followed by the conflict check. Both read
 * every column as its exact value ({@link io.shardkit.mysql.ColumnType#valueExpr}).
 */
final class Copier {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String jobId;
    private final Plan plan;
    private final Plan.TablePlan table;
    private final String sourceName;
    /** The source primary's pool as the job knows it now: it changes when the primary moves. */
    private final java.util.function.Supplier<DataSource> source;
    /** The target primary's pool as the job knows it now (the apply follows a target failover). */
    private final java.util.function.Supplier<DataSource> target;
    private final RowMapper mapper;
    private final MergeControl control;
    final AtomicLong copied = new AtomicLong();
    /** Chunks written by LOAD DATA, and chunks written the careful way (batched inserts + conflict check). */
    final AtomicLong loadedChunks = new AtomicLong(), insertedChunks = new AtomicLong();
    /** Why the first chunk that fell back did (for the operator: a table that always falls back copies slower). */
    final java.util.concurrent.atomic.AtomicReference<String> loadFallback = new java.util.concurrent.atomic.AtomicReference<>();

    private final ConflictGuard guard;
    /** Chunks go by LOAD DATA while the target allows it and has not refused this table's data. */
    private volatile boolean loadData;

    Copier(String jobId, Plan plan, Plan.TablePlan table, String sourceName, java.util.function.Supplier<DataSource> source,
           java.util.function.Supplier<DataSource> target, MergeControl control,
           ConflictGuard guard, boolean loadData) {
        this.guard = guard;
        this.loadData = loadData;
        this.jobId = jobId;
        this.plan = plan;
        this.table = table;
        this.sourceName = sourceName;
        this.source = source;
        this.target = target;
        this.mapper = new RowMapper(plan, table, sourceName);
        this.control = control;
    }

    String source() {
        return sourceName;
    }

    String table() {
        return table.table();
    }

    /** Runs to the end of the table, resuming after the last checkpointed key. */
    void run() throws Exception {
        List<String> lastKey = null;
        try (Connection t = target.get().getConnection();
             PreparedStatement ps = t.prepareStatement("SELECT last_key, rows_copied, done FROM " + MetaTables.DB + ".copy_progress WHERE job_id = ? AND source = ? AND tbl = ?")) {
            ps.setString(1, jobId);
            ps.setString(2, sourceName);
            ps.setString(3, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    if (rs.getInt(3) == 1) {
                        copied.set(rs.getLong(2));
                        return;
                    }
                    copied.set(rs.getLong(2));
                    String lk = rs.getString(1);
                    if (lk != null) lastKey = List.of(JSON.readValue(lk, String[].class));
                }
            }
        }
        long lostSince = 0;
        while (true) {
            control.awaitCopyAllowed();
            // the chunk's shared locks can deadlock with application writes on the source: InnoDB rolls the
            // read back, nothing was written, and the chunk is read again
            final List<String> from = lastKey;
            List<String> next;
            try {
                next = Retry.onConflict(() -> chunk(from));
                lostSince = 0;
            } catch (SQLException e) {
                // a source or target connection lost mid-chunk (a primary that moved, a stream restart that replaced the pool):
                // nothing of the chunk was committed, so it is read again once the job has found the primary again
                if (io.shardkit.mysql.SqlErrors.classify(e) != io.shardkit.mysql.SqlErrors.ErrorClass.CONNECTION_LOST || control.stopRequested()) throw e;
                if (lostSince == 0) lostSince = System.nanoTime();
                if (System.nanoTime() - lostSince > java.time.Duration.ofMinutes(5).toNanos()) throw e;
                Thread.sleep(500);
                continue;
            }
            if (next == null) return;
            lastKey = next;
            control.stage("copy.between-chunks");
        }
    }

    /** How each copied column travels (read from the source's definition at the first chunk). */
    private Map<String, io.shardkit.mysql.ColumnType> types;

    private Map<String, io.shardkit.mysql.ColumnType> types(Connection s) throws SQLException {
        if (types == null) {
            TableSchema schema = SchemaReader.read(s, plan.database(), table.table());
            if (schema == null) throw new SQLException("table " + plan.database() + "." + table.table() + " no longer exists on source " + sourceName);
            Map<String, io.shardkit.mysql.ColumnType> m = new java.util.HashMap<>();
            for (TableSchema.Column c : schema.columns()) m.put(c.name().toLowerCase(java.util.Locale.ROOT), c.type());
            types = m;
        }
        return types;
    }

    private io.shardkit.mysql.ColumnType type(String column) {
        io.shardkit.mysql.ColumnType t = types.get(column.toLowerCase(java.util.Locale.ROOT));
        if (t == null) throw new IllegalStateException("column " + column + " of " + table.table() + " is missing on source " + sourceName);
        return t;
    }

    private String selectSql(Connection s, boolean first) throws SQLException {
        types(s);
        String from = identifier(plan.database()) + "." + identifier(table.table());
        // each column as its exact value (ColumnType: FLOAT as a DOUBLE, ENUM/SET as index and bit mask)
        String cols = String.join(", ", table.copiedColumns().stream().map(c -> type(c).valueExpr(identifier(c)) + " AS " + identifier(c)).toList());
        String key = String.join(", ", table.rowKey().stream().map(io.shardkit.mysql.SqlText::identifier).toList());
        String where = first ? "" : " WHERE " + io.shardkit.mysql.KeyRange.after(table.rowKey());
        // shared locks until the target has the chunk: see the class comment
        return "SELECT " + cols + " FROM " + from + where + " ORDER BY " + key + " LIMIT " + control.chunkSize() + " LOCK IN SHARE MODE";
    }

    /** Target columns that LOAD DATA must assign as numbers (ENUM index, SET bit mask): its fields are otherwise taken as labels. */
    private java.util.Set<String> numericallyAssigned() {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (String c : table.copiedColumns()) {
            var k = type(c).kind();
            if (k == io.shardkit.mysql.ColumnType.Kind.ENUM || k == io.shardkit.mysql.ColumnType.Kind.SET) out.add(c);
        }
        return out;
    }

    /** Copies one chunk after {@code after}; returns its last key, or null when the table is done. */
    private List<String> chunk(List<String> after) throws Exception {
        try (Connection s = source.get().getConnection()) {
            s.setAutoCommit(false);
            Exception failure = null;
            try {
                Read read = null;
                boolean viaLoad = loadData;
                if (viaLoad) {
                    Read text = readText(s, after);
                    control.stage("copy.chunk-read");
                    // a duplicate (a row the stream already wrote, or a collision) or any value the server adjusted
                    // makes the load report a warning: the chunk is then written the careful way below
                    if (Retry.onConflict(() -> write(text, t -> {
                        if (text.rows.rows() == 0) return true;
                        LoadData.Outcome o = LoadData.load(t, plan.database(), table.table(), mapper.targetColumns(), numericallyAssigned(), text.rows);
                        if (!o.clean(text.count)) loadFallback.compareAndSet(null, o.warning() != null ? o.warning() : o.inserted() + " of " + text.count + " rows inserted");
                        if (o.refused()) loadData = false; // the server rejects this table's data as a file: every chunk would
                        return o.clean(text.count);
                    }))) read = text;
                }
                if (read == null) {
                    // the same rows as a text read of this chunk would be: this transaction holds their shared locks
                    Read typed = readTyped(s, after);
                    if (!viaLoad) control.stage("copy.chunk-read");
                    Retry.onConflict(() -> write(typed, t -> {
                        io.shardkit.mysql.RowWrites.insertIfAbsent(t, plan.database(), table.table(), mapper.targetColumns(), mapper.targetKey(), typed.values);
                        // the insert keeps what the stream wrote for this source's rows, but it would also silently keep a
                        // row whose key or unique value another source holds: that is a collision, never a skip. Checked
                        // after the insert, in its transaction: a concurrent insert of the same value by another source's
                        // copy or stream has then either committed (InnoDB made ours wait on its unique entry) or will see ours.
                        guard.check(t, sourceName, table.table(), mapper, typed.values, java.util.Collections.nCopies(typed.values.size(), true));
                        return true;
                    }));
                    read = typed;
                }
                copied.addAndGet(read.count);
                (read.rows != null ? loadedChunks : insertedChunks).incrementAndGet();
                control.stage("copy.after-checkpoint-commit");
                return read.done ? null : read.checkpoint;
            } catch (Exception e) {
                failure = e;
                throw e;
            } finally {
                try {
                    s.rollback(); // read-only: releases the shared locks
                } catch (SQLException lost) {
                    // the connection is gone, and its locks with it: an error that came first is the one to report
                    if (failure == null) throw lost;
                    failure.addSuppressed(lost);
                }
            }
        }
    }

    /** One chunk as read: its rows (as text for LOAD DATA, or as values), how many, and the key to resume after. */
    private record Read(LoadData.Rows rows, List<Object[]> values, int count, List<String> checkpoint, boolean done) {}

    private interface TargetWrite {
        boolean apply(Connection t) throws Exception;
    }

    private List<String> keyOf(ResultSet rs) throws SQLException {
        List<String> k = new ArrayList<>(table.rowKey().size());
        for (String c : table.rowKey()) k.add(rs.getString(c));
        return k;
    }

    /** Reads the chunk as the server's text renderings, mapped for the target, ready for LOAD DATA. */
    private Read readText(Connection s, List<String> after) throws SQLException {
        LoadData.Rows out = new LoadData.Rows();
        List<String> last = null;
        int n = 0;
        try (PreparedStatement ps = select(s, after); ResultSet rs = ps.executeQuery()) {
            int cols = table.copiedColumns().size();
            boolean[] offset = new boolean[cols];
            for (int i = 0; i < cols; i++) {
                offset[i] = table.offsetColumns().contains(table.copiedColumns().get(i));
            }
            String shard = plan.strategy() == KeyStrategy.SHARD_COLUMN ? sourceName : null;
            while (rs.next()) {
                for (int i = 0; i < cols; i++) {
                    byte[] v = rs.getBytes(i + 1);
                    if (v == null) out.value((byte[]) null);
                    else if (offset[i]) out.value(String.valueOf(mapper.shift(table.copiedColumns().get(i), Long.parseLong(new String(v, java.nio.charset.StandardCharsets.US_ASCII)))));
                    // as sent; BIT too: it arrives as its raw bytes, and LOAD DATA stores a field's bytes into a BIT
                    // column as they are (its number as text would be the bits of the digits: "1" is 0x31)
                    else out.value(v);
                }
                if (shard != null) out.value(shard);
                out.endRow();
                last = keyOf(rs);
                n++;
            }
        }
        return new Read(out, null, n, last != null ? last : after, n < control.chunkSize());
    }

    /** Reads the chunk as values mapped for the target (offsets added, shard column set). */
    private Read readTyped(Connection s, List<String> after) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        List<String> last = null;
        try (PreparedStatement ps = select(s, after); ResultSet rs = ps.executeQuery()) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) row.put(md.getColumnLabel(i), io.shardkit.mysql.JdbcValues.read(rs, i, type(md.getColumnLabel(i))));
                rows.add(mapper.values(row));
                last = keyOf(rs);
            }
        }
        return new Read(null, rows, rows.size(), last != null ? last : after, rows.size() < control.chunkSize());
    }

    private PreparedStatement select(Connection s, List<String> after) throws SQLException {
        PreparedStatement ps = s.prepareStatement(selectSql(s, after == null));
        if (after != null) {
            List<String> params = io.shardkit.mysql.KeyRange.params(after);
            for (int i = 0; i < params.size(); i++) ps.setString(i + 1, params.get(i));
        }
        return ps;
    }

    /** Writes a chunk and its checkpoint in one target transaction; false (nothing written) when {@code body} declines. */
    private boolean write(Read read, TargetWrite body) throws Exception {
        try (Connection t = target.get().getConnection()) {
            t.setAutoCommit(false);
            try {
                TargetSink.refuseReadOnly(t);
                if (!body.apply(t)) {
                    t.rollback();
                    return false;
                }
                try (PreparedStatement cp = t.prepareStatement("INSERT INTO " + MetaTables.DB + ".copy_progress (job_id, source, tbl, last_key, rows_copied, done)"
                        + " VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE last_key = VALUES(last_key), rows_copied = VALUES(rows_copied), done = VALUES(done)")) {
                    cp.setString(1, jobId);
                    cp.setString(2, sourceName);
                    cp.setString(3, table.table());
                    cp.setString(4, read.checkpoint == null ? null : JSON.writeValueAsString(read.checkpoint));
                    cp.setLong(5, copied.get() + read.count);
                    cp.setInt(6, read.done ? 1 : 0);
                    cp.executeUpdate();
                }
                control.stage("copy.before-checkpoint-commit");
                t.commit();
                return true;
            } catch (Exception e) {
                t.rollback();
                throw e;
            }
        }
    }
}
