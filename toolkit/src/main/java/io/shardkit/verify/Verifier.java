package io.shardkit.verify;

import io.shardkit.mysql.JdbcValues;
import io.shardkit.mysql.KeyRange;
import io.shardkit.mysql.KeyValues;
import io.shardkit.mysql.RowWrites;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Compares one table, N sources against one target, online.
 *
 * <p>Chunks: the target is nibbled in its key order, each chunk read once for its checksum in SQL
 * (see {@link RowHashSql}) and its end, several segments of the key at once (see {@link Segments});
 * the sources checksum the same segments meanwhile, and a segment's target sum must equal the sum
 * of the sources'. A segment that differs is compared chunk by chunk; a chunk that differs is
 * settled row by row: read the sources' rows, wait until the
 * stream has applied everything the sources had committed by then (the {@link Barrier}), read the
 * target's rows, and diff; a row counts only if it differs in every one of {@code rechecks} rounds,
 * so changes still in flight through the stream are not reported.
 */
public final class Verifier {
    /** Waits until the target has applied everything these sources committed before the call; false when no stream runs to wait for. */
    public interface Barrier {
        boolean await(Collection<String> groups) throws Exception;

        /**
         * Which of these target row keys (as {@link KeyValues} text) the stream wrote at or after
         * {@code since} (the target's clock): rows still changing, whose difference is in flight.
         */
        default java.util.Set<String> changedSince(String table, java.sql.Timestamp since, List<List<Object>> keys) throws Exception {
            return java.util.Set.of();
        }
    }

    /** Called before each chunk; may block (throttling) or throw (stop). */
    public interface Gate {
        void beforeChunk() throws Exception;
    }

    /**
     * How chunks are cut and checked. With a {@code chunkTime}, {@code chunkSize} is only where each
     * segment starts: every nibble resizes the next one toward that duration on the target (between
     * half and twice the last size), as pt-table-checksum's --chunk-time does; without one the size
     * is fixed.
     */
    public record Settings(int chunkSize, int parallelism, int rechecks, java.time.Duration chunkTime) {
        public Settings(int chunkSize, int parallelism, int rechecks) {
            this(chunkSize, parallelism, rechecks, null);
        }

        public static final Settings DEFAULT = new Settings(10_000, 4, 3, java.time.Duration.ofMillis(250));
        /**
         * The largest adapted chunk: a chunk that differs is settled row by row in memory (each side's
         * rows as key and hash, about 300 bytes a row: 50,000 rows keep a settle near 30 MB of the
         * launcher's 256 MB heap). Larger chunks were not faster here (4 x 250k rows: 50k and 200k
         * chunks both 1.7-1.8 s).
         */
        static final int MAX_ADAPTED = 50_000;

        int next(int size, long tookNanos) {
            if (chunkTime == null) return size;
            double factor = Math.max(0.5, Math.min(2.0, (double) chunkTime.toNanos() / Math.max(1, tookNanos)));
            return (int) Math.max(10, Math.min(MAX_ADAPTED, size * factor));
        }
    }

    private TableSpec spec;
    private final DataSource target;
    private final Map<String, DataSource> sources;
    private final Barrier barrier;
    private final Gate gate;
    private final Settings settings;
    private final Consumer<String> progress;
    private volatile boolean settled = true;
    private final java.util.concurrent.atomic.AtomicLong inFlight = new java.util.concurrent.atomic.AtomicLong();
    private static final int KEY_BATCH = 1000;

    public Verifier(TableSpec spec, DataSource target, Map<String, DataSource> sources, Barrier barrier, Gate gate, Settings settings, Consumer<String> progress) {
        this.spec = spec;
        this.target = target;
        this.sources = sources;
        this.barrier = barrier;
        this.gate = gate;
        this.settings = settings;
        this.progress = progress;
    }

    /** A set of rows compared together: a span of the chunk key, or an explicit list of target row keys. */
    private record Scope(Span span, List<List<Object>> keys) {}

    private record Sum(long rows, BigInteger hashes) {
        Sum plus(Sum o) {
            return new Sum(rows + o.rows, hashes.add(o.hashes));
        }
    }

    private record Row(List<Object> key, String hash, String source, boolean duplicate) {}

    /**
     * Frames the row hash by the target's column types (numbers and temporals cannot hold the
     * separator), and notes whether the first chunk-key column is an integer.
     */
    private void readTypes() throws SQLException {
        Map<String, String[]> found = targetColumns(spec, target);
        spec = typed(spec, found);
        String[] lead = found.get(spec.chunkKey().getFirst().toLowerCase(java.util.Locale.ROOT));
        integerLead = lead != null && INTEGER_TYPES.contains(lead[1]);
    }

    private static final java.util.Set<String> INTEGER_TYPES = java.util.Set.of("tinyint", "smallint", "mediumint", "int", "integer", "bigint");
    /** Whether the first chunk-key column is an integer: then the key line can be cut into segments by arithmetic. */
    private boolean integerLead;

    /** The spec with the target's column types (framing, FLOAT read exactly): for the row hash and for repairs. */
    public static TableSpec withTargetTypes(TableSpec spec, DataSource target) throws SQLException {
        return typed(spec, targetColumns(spec, target));
    }

    /** The target's columns of the table: lower-case name to {IS_NULLABLE, DATA_TYPE (lower case), COLUMN_TYPE, CHARACTER_SET_NAME}. */
    private static Map<String, String[]> targetColumns(TableSpec spec, DataSource target) throws SQLException {
        Map<String, String[]> found = new java.util.HashMap<>();
        try (Connection c = target.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT COLUMN_NAME, IS_NULLABLE, DATA_TYPE, COLUMN_TYPE, CHARACTER_SET_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
            ps.setString(1, spec.database());
            ps.setString(2, spec.table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.put(rs.getString(1).toLowerCase(java.util.Locale.ROOT),
                            new String[] {rs.getString(2), rs.getString(3).toLowerCase(java.util.Locale.ROOT), rs.getString(4), rs.getString(5)});
                }
            }
        }
        return found;
    }

    private static TableSpec typed(TableSpec spec, Map<String, String[]> found) {
        List<TableSpec.Column> typed = new ArrayList<>();
        for (String col : spec.columns()) {
            String[] c = found.get(col.toLowerCase(java.util.Locale.ROOT));
            if (c == null) throw new IllegalStateException("column " + col + " of " + spec.database() + "." + spec.table() + " is missing on the target");
            typed.add(new TableSpec.Column(col, "YES".equals(c[0]), io.shardkit.mysql.ColumnType.of(col, c[2], c[3])));
        }
        return spec.withTypes(typed);
    }

    /** Target rows read so far, shared by the verifiers of one run (a progress bar's figure). */
    private java.util.concurrent.atomic.LongAdder checked = new java.util.concurrent.atomic.LongAdder();

    /** Counts the target rows this verifier reads into {@code into}. */
    public Verifier counting(java.util.concurrent.atomic.LongAdder into) {
        this.checked = into;
        return this;
    }

    /**
     * Every chunk of the table. The target's key line is cut into segments (see {@link Segments};
     * one segment when the first chunk-key column is not an integer). Workers nibble the target
     * segment by segment, each chunk read once for its checksum and its end; meanwhile every source
     * checksums each whole segment, so neither side waits on the other. A segment whose sums
     * differ is then compared chunk by chunk, and the chunks that differ are settled row by row.
     */
    public TableResult chunks() throws Exception {
        long start = System.nanoTime();
        readTypes();
        List<Span> all = segments();
        java.util.Queue<Span> queue = new java.util.concurrent.ConcurrentLinkedQueue<>(all);
        Map<Span, List<Nibble>> nibbled = new java.util.concurrent.ConcurrentHashMap<>();
        Map<Span, List<Future<Sum>>> sourceSums = new LinkedHashMap<>();
        List<Span> mismatched = new ArrayList<>();
        long chunks = 0;
        long rows = 0;
        try (ExecutorService nibblers = Executors.newFixedThreadPool(settings.parallelism()); ExecutorService sourcePool = Executors.newFixedThreadPool(settings.parallelism())) {
            for (Span segment : all) {
                List<Future<Sum>> sums = new ArrayList<>();
                for (TableSpec.SourceMap s : spec.sources()) sums.add(sourcePool.submit(() -> {
                    gate.beforeChunk();
                    return checksum(Side.source(s), segment);
                }));
                sourceSums.put(segment, sums);
            }
            List<Future<Void>> workers = new ArrayList<>();
            for (int i = 0; i < settings.parallelism(); i++) {
                workers.add(nibblers.submit(() -> {
                    for (Span segment = queue.poll(); segment != null; segment = queue.poll()) {
                        List<Nibble> done = new ArrayList<>();
                        Span at = segment;
                        int size = settings.chunkSize();
                        while (at != null) {
                            gate.beforeChunk();
                            long began = System.nanoTime();
                            Nibble n = nibble(at, size);
                            checked.add(n.target().rows());
                            size = settings.next(size, System.nanoTime() - began);
                            done.add(n);
                            at = n.next();
                        }
                        nibbled.put(segment, done);
                    }
                    return null;
                }));
            }
            for (Future<Void> f : workers) f.get();
            for (Span segment : all) {
                Sum expected = new Sum(0, BigInteger.ZERO);
                for (Future<Sum> f : sourceSums.get(segment)) expected = expected.plus(f.get());
                Sum actual = new Sum(0, BigInteger.ZERO);
                for (Nibble n : nibbled.get(segment)) actual = actual.plus(n.target());
                chunks += nibbled.get(segment).size();
                rows += actual.rows();
                if (expected.equals(actual)) continue;
                // which chunks of it: the sources again, chunk by chunk
                for (Nibble n : nibbled.get(segment)) {
                    Sum e = new Sum(0, BigInteger.ZERO);
                    for (TableSpec.SourceMap s : spec.sources()) e = e.plus(checksum(Side.source(s), n.chunk()));
                    if (!e.equals(n.target())) mismatched.add(n.chunk());
                }
            }
        }
        if (!mismatched.isEmpty()) progress.accept(spec.table() + ": " + mismatched.size() + " of " + chunks + " chunks differ; settling them row by row");
        List<RowDiff> diffs = new ArrayList<>();
        for (Span s : mismatched) diffs.addAll(settle(new Scope(s, null)));
        return new TableResult(spec.table(), "chunks", chunks, rows, mismatched.size(), diffs, (System.nanoTime() - start) / 1_000_000, settled, inFlight.get());
    }

    /** One nibble: the chunk it covered, the target's checksum over it, and where the segment goes on (null: done). */
    private record Nibble(Span chunk, Sum target, Span next) {}

    private Nibble nibble(Span at, int size) throws SQLException {
        boolean unique = spec.chunkKey().size() == 1 && spec.rowKey().equals(spec.chunkKey());
        try (Connection c = target.getConnection(); PreparedStatement ps = c.prepareStatement(unique ? RowHashSql.nibbleUnique(spec, at, size) : RowHashSql.nibbleGeneral(spec, at, size))) {
            bindAll(ps, 1, at.params(spec, Side.target()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long count = rs.getLong(1);
                BigInteger sum = rs.getBigDecimal(2).toBigIntegerExact();
                if (count < size) return new Nibble(at, new Sum(count, sum), null); // the rest of the segment
                if (unique) {
                    List<Object> last = readKey(rs, 3, 1);
                    return new Nibble(at.until(new Span.Bound(last, true)), new Sum(count, sum), at.from(new Span.Bound(last, false)));
                }
                long ties = rs.getLong(3);
                BigInteger tieSum = rs.getBigDecimal(4).toBigIntegerExact();
                List<Object> last = readKey(rs, 5, spec.chunkKey().size());
                if (ties < count) {
                    // end before the last key: the limit may have cut its run of rows
                    return new Nibble(at.until(new Span.Bound(last, false)), new Sum(count - ties, sum.subtract(tieSum)), at.from(new Span.Bound(last, true)));
                }
                // one key fills the whole nibble: take its whole run as the chunk
                Span chunk = at.until(new Span.Bound(last, true));
                return new Nibble(chunk, checksum(Side.target(), chunk), at.from(new Span.Bound(last, false)));
            }
        }
    }

    /**
     * The segments to nibble: cut where rows lie on the target and on each source, when the first
     * chunk-key column is an integer; otherwise the whole table is one segment.
     */
    private List<Span> segments() throws SQLException {
        if (!integerLead) return List.of(Span.ALL);
        List<Segments.Interval> intervals = new ArrayList<>();
        String first = spec.chunkKey().getFirst();
        extent(target, BigInteger.ZERO).ifPresent(intervals::add);
        for (TableSpec.SourceMap s : spec.sources()) {
            extent(sources.get(s.group()), BigInteger.valueOf(s.shifts().getOrDefault(first, 0L))).ifPresent(intervals::add);
        }
        return Segments.of(intervals, settings.parallelism());
    }

    private java.util.Optional<Segments.Interval> extent(DataSource ds, BigInteger shift) throws SQLException {
        try (Connection c = ds.getConnection(); var st = c.createStatement(); ResultSet rs = st.executeQuery(RowHashSql.extent(spec))) {
            rs.next();
            if (rs.getBigDecimal(1) == null) return java.util.Optional.empty();
            return java.util.Optional.of(new Segments.Interval(rs.getBigDecimal(1).toBigIntegerExact().add(shift), rs.getBigDecimal(2).toBigIntegerExact().add(shift)));
        }
    }

    /** Only the rows with these target row keys (rows the stream wrote since a clean pass). */
    public TableResult keys(List<List<Object>> rowKeys) throws Exception {
        long start = System.nanoTime();
        readTypes();
        List<RowDiff> diffs = new ArrayList<>();
        long batches = 0;
        long mismatched = 0;
        long rows = 0;
        for (int i = 0; i < rowKeys.size(); i += KEY_BATCH) {
            gate.beforeChunk();
            Scope batch = new Scope(null, rowKeys.subList(i, Math.min(rowKeys.size(), i + KEY_BATCH)));
            batches++;
            Map<String, Row> src = sourceRows(batch);
            Map<String, Row> tgt = targetRows(batch);
            rows += tgt.size();
            if (!diff(src, tgt).isEmpty()) {
                mismatched++;
                diffs.addAll(settle(batch));
            }
        }
        return new TableResult(spec.table(), "keys", batches, rows, mismatched, diffs, (System.nanoTime() - start) / 1_000_000, settled, inFlight.get());
    }

    private List<RowDiff> settle(Scope scope) throws Exception {
        java.sql.Timestamp since;
        try (Connection c = target.getConnection(); var st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT NOW(6)")) {
            rs.next();
            since = rs.getTimestamp(1);
        }
        Map<String, RowDiff> persistent = null;
        for (int round = 0; round < Math.max(1, settings.rechecks()); round++) {
            Map<String, Row> src = sourceRows(scope);
            if (!barrier.await(spec.sources().stream().map(TableSpec.SourceMap::group).toList())) settled = false;
            Map<String, RowDiff> now = diff(src, targetRows(scope));
            if (persistent != null) now.keySet().retainAll(persistent.keySet());
            persistent = now;
            if (persistent.isEmpty()) break;
        }
        if (!persistent.isEmpty()) {
            // a row the stream kept writing through every round differs because it is moving, not because it is wrong;
            // it is re-checked by the next pass over what the stream touched (and by the cutover's, with writes frozen)
            java.util.Set<String> moving = barrier.changedSince(spec.table(), since, persistent.values().stream().map(RowDiff::key).toList());
            persistent.keySet().removeAll(moving);
            inFlight.addAndGet(moving.size());
        }
        return new ArrayList<>(persistent.values());
    }

    private Map<String, RowDiff> diff(Map<String, Row> src, Map<String, Row> tgt) {
        Map<String, RowDiff> out = new LinkedHashMap<>();
        for (var e : src.entrySet()) {
            Row s = e.getValue();
            Row t = tgt.get(e.getKey());
            if (s.duplicate()) out.put(e.getKey(), new RowDiff(spec.table(), s.key(), RowDiff.Kind.DUPLICATE, s.source()));
            else if (t == null) out.put(e.getKey(), new RowDiff(spec.table(), s.key(), RowDiff.Kind.MISSING, s.source()));
            else if (!t.hash().equals(s.hash())) out.put(e.getKey(), new RowDiff(spec.table(), s.key(), RowDiff.Kind.DIFFERENT, s.source()));
        }
        for (var e : tgt.entrySet()) {
            if (!src.containsKey(e.getKey())) out.put(e.getKey(), new RowDiff(spec.table(), e.getValue().key(), RowDiff.Kind.EXTRA, null));
        }
        return out;
    }

    private Sum checksum(Side side, Span span) throws SQLException {
        try (Connection c = connection(side); PreparedStatement ps = c.prepareStatement(RowHashSql.checksum(spec, side, span))) {
            bindAll(ps, 1, span.params(spec, side));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Sum(rs.getLong(1), rs.getBigDecimal(2).toBigIntegerExact());
            }
        }
    }

    private Map<String, Row> sourceRows(Scope scope) throws SQLException {
        Map<String, Row> out = new LinkedHashMap<>();
        for (TableSpec.SourceMap s : spec.sources()) {
            for (Row r : rows(Side.source(s), scope)) {
                String k = KeyValues.encode(r.key());
                Row prior = out.putIfAbsent(k, r);
                if (prior != null) out.put(k, new Row(r.key(), r.hash(), prior.source() + "," + r.source(), true));
            }
        }
        return out;
    }

    private Map<String, Row> targetRows(Scope scope) throws SQLException {
        Map<String, Row> out = new LinkedHashMap<>();
        for (Row r : rows(Side.target(), scope)) out.put(KeyValues.encode(r.key()), r);
        return out;
    }

    private List<Row> rows(Side side, Scope scope) throws SQLException {
        if (scope.keys() == null) return query(side, RowHashSql.rows(spec, side, scope.span()), scope.span().params(spec, side), scope);
        List<Row> out = new ArrayList<>();
        if (side.isTarget()) {
            // group the keys by the columns sources fill with constants (the shard column): one IN list per group
            List<String> fixed = spec.rowKey().stream().filter(c -> spec.sources().stream().anyMatch(s -> s.constants().containsKey(c))).toList();
            Map<List<Object>, List<List<Object>>> groups = new LinkedHashMap<>();
            for (List<Object> k : scope.keys()) {
                List<Object> fixedValues = new ArrayList<>();
                List<Object> rest = new ArrayList<>();
                for (int i = 0; i < spec.rowKey().size(); i++) (fixed.contains(spec.rowKey().get(i)) ? fixedValues : rest).add(k.get(i));
                groups.computeIfAbsent(fixedValues, x -> new ArrayList<>()).add(rest);
            }
            for (var g : groups.entrySet()) {
                List<Object> params = new ArrayList<>(g.getKey());
                g.getValue().forEach(params::addAll);
                out.addAll(query(side, RowHashSql.rowsByKeyWithin(spec, fixed, g.getValue().size()), params, scope));
            }
            return out;
        }
        List<List<Object>> own = new ArrayList<>();
        for (List<Object> k : scope.keys()) {
            List<Object> o = side.ownKey(spec, k);
            if (o != null) own.add(o);
        }
        if (own.isEmpty()) return out;
        List<Object> params = new ArrayList<>();
        own.forEach(params::addAll);
        return query(side, RowHashSql.rowsByKey(spec, side, own.size()), params, scope);
    }

    private List<Row> query(Side side, String sql, List<Object> params, Scope scope) throws SQLException {
        List<Row> out = new ArrayList<>();
        try (Connection c = connection(side); PreparedStatement ps = c.prepareStatement(sql)) {
            bindAll(ps, 1, params);
            try (ResultSet rs = ps.executeQuery()) {
                int n = spec.rowKey().size();
                while (rs.next()) out.add(new Row(readKey(rs, 1, n), rs.getString(n + 1), side.name(), false));
            }
        }
        return out;
    }

    private static int bindAll(PreparedStatement ps, int from, List<Object> values) throws SQLException {
        int i = from;
        for (Object v : values) RowWrites.bind(ps, i++, v);
        return i;
    }

    private static List<Object> readKey(ResultSet rs, int from, int n) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        List<Object> key = new ArrayList<>();
        for (int i = from; i < from + n; i++) key.add(JdbcValues.read(rs, i, md));
        return key;
    }

    private Connection connection(Side side) throws SQLException {
        return side.isTarget() ? target.getConnection() : sources.get(side.name()).getConnection();
    }
}
