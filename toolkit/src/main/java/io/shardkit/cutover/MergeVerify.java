package io.shardkit.cutover;

import com.zaxxer.hikari.HikariDataSource;
import io.shardkit.catalog.Catalog;
import io.shardkit.merge.JobState;
import io.shardkit.merge.JobStore;
import io.shardkit.merge.KeyStrategy;
import io.shardkit.merge.Markers;
import io.shardkit.merge.MetaTables;
import io.shardkit.merge.Plan;
import io.shardkit.merge.RowMapper;
import io.shardkit.mysql.ConnectionSettings;
import io.shardkit.mysql.Connections;
import io.shardkit.mysql.Credential;
import io.shardkit.mysql.KeyValues;
import io.shardkit.topology.Discovery;
import io.shardkit.topology.FleetView;
import io.shardkit.topology.Topology;
import io.shardkit.verify.Repair;
import io.shardkit.verify.TableResult;
import io.shardkit.verify.TableSpec;
import io.shardkit.verify.Verifier;
import io.shardkit.verify.VerifyStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Verify for a merge job: builds the comparison of each planned table from the plan's key
 * strategy, connects to the current primaries, waits on the job's stream with markers, chooses
 * between a full pass and re-checking only the rows the stream wrote since the last clean pass,
 * stores every result in the catalog, and repairs on request.
 */
public final class MergeVerify implements AutoCloseable {
    private static final Duration BARRIER_DEADLINE = Duration.ofSeconds(30);

    private final Plan plan;
    private final JobStore jobs;
    private final VerifyStore store;
    private final Consumer<String> progress;
    private final HikariDataSource target;
    private final Map<String, HikariDataSource> sources = new LinkedHashMap<>();
    private final Map<String, io.shardkit.topology.InstanceState> primaries = new LinkedHashMap<>();
    private volatile boolean drained;
    private static final Duration THROTTLE_READING = Duration.ofMillis(250);
    /** When the throttle last read clear (System.nanoTime), for {@link #throttle}. */
    private volatile long clearAt = System.nanoTime() - THROTTLE_READING.toNanos();

    public MergeVerify(Plan plan, Topology topology, Credential admin, Catalog catalog, int connectionsPerServer, Consumer<String> progress) {
        this.plan = plan;
        this.jobs = new JobStore(catalog);
        this.store = new VerifyStore(catalog);
        this.progress = progress;
        List<String> groups = new ArrayList<>(plan.sources().stream().map(Plan.Source::group).toList());
        groups.add(plan.target().group());
        FleetView view = new FleetView(topology, new Discovery(topology, admin).probe(groups.stream().flatMap(g -> topology.group(g).instanceNames().stream()).toList()));
        Map<String, HikariDataSource> opened = new LinkedHashMap<>();
        try {
            for (String g : groups) {
                String p = view.group(g).primary().orElseThrow(() -> new IllegalStateException("group " + g + " has no reachable primary"));
                primaries.put(g, view.state(p));
                opened.put(g, Connections.pool("verify-" + g, topology.instance(p).endpoint(), admin, ConnectionSettings.BULK, connectionsPerServer));
            }
        } catch (RuntimeException e) {
            opened.values().forEach(HikariDataSource::close);
            throw e;
        }
        this.target = opened.remove(plan.target().group());
        this.sources.putAll(opened);
    }

    /** The comparison of each planned table under the plan's key strategy. */
    public static List<TableSpec> specs(Plan plan) {
        List<TableSpec> out = new ArrayList<>();
        for (Plan.TablePlan t : plan.tables()) {
            RowMapper any = new RowMapper(plan, t, plan.sources().getFirst().group());
            List<TableSpec.SourceMap> maps = new ArrayList<>();
            for (Plan.Source s : plan.sources()) {
                Map<String, Long> shifts = new LinkedHashMap<>();
                if (plan.strategy() == KeyStrategy.OFFSET) for (String c : t.offsetColumns()) shifts.put(c, t.offsets().getOrDefault(s.group(), 0L));
                Map<String, String> constants = plan.strategy() == KeyStrategy.SHARD_COLUMN ? Map.of(t.shardColumn(), s.group()) : Map.of();
                maps.add(new TableSpec.SourceMap(s.group(), shifts, constants));
            }
            out.add(new TableSpec(plan.database(), t.table(), t.rowKey(), any.targetKey(), any.targetColumns(), maps));
        }
        return out;
    }

    /** One verify run over the chosen tables. */
    public record Report(List<TableResult> tables, Map<String, Long> runIds) {
        public boolean clean() {
            return tables.stream().allMatch(t -> t.clean() && t.settled());
        }
    }

    private final java.util.concurrent.atomic.LongAdder rowsChecked = new java.util.concurrent.atomic.LongAdder();

    /** Target rows compared by chunk so far in this verifier's runs. */
    public long rowsChecked() {
        return rowsChecked.sum();
    }

    /** The plan's estimate of the rows a full verify compares (every table, every source). */
    public long rowsPlanned() {
        return plan.tables().stream().mapToLong(t -> t.rowsPerSource().values().stream().mapToLong(Long::longValue).sum()).sum();
    }

    /**
     * Verifies the tables (all planned ones when empty): every chunk when {@code full} or when the
     * table has no clean latest run; otherwise only the rows the stream wrote since that run began.
     */
    public Report run(List<String> tables, boolean full, Verifier.Settings settings) throws Exception {
        Map<String, VerifyStore.Run> latest = store.latest(plan.id());
        List<TableResult> results = new ArrayList<>();
        Map<String, Long> ids = new LinkedHashMap<>();
        for (TableSpec spec : chosen(tables)) {
            Instant started = Instant.now();
            Timestamp clock = targetClock();
            VerifyStore.Run last = latest.get(spec.table());
            Verifier.Barrier stream = new Verifier.Barrier() {
                @Override
                public boolean await(Collection<String> groups) throws Exception {
                    return barrier(groups);
                }

                @Override
                public java.util.Set<String> changedSince(String table, Timestamp since, List<List<Object>> keys) throws SQLException {
                    // frozen and drained, nothing is in flight: every difference is one
                    return drained ? java.util.Set.of() : touchedAmong(table, since, keys);
                }
            };
            Verifier v = new Verifier(spec, target, Map.copyOf(sources), stream, this::throttle, settings, progress).counting(rowsChecked);
            TableResult r;
            if (full || last == null || !last.clean() || last.targetClockStart() == null) {
                r = v.chunks();
            } else {
                r = v.keys(touchedSince(spec.table(), last.targetClockStart()));
            }
            ids.put(spec.table(), store.save(plan.id(), r, started, clock));
            results.add(r);
        }
        pruneTouched();
        return new Report(results, ids);
    }

    /**
     * Verify is throttled like the copy: before each chunk it waits while the live merge process
     * reports a throttle (target replica lag, Threads_running on a primary; see {@code merge
     * throttle}). Not while frozen: a cutover's final verify must not wait on load. A clear reading
     * holds for {@link #THROTTLE_READING} (the merge process itself samples twice a second; reading
     * the catalog before every chunk of every worker cost a tenth of a second per million rows).
     */
    private void throttle() throws InterruptedException {
        String said = null;
        while (!drained) {
            if (System.nanoTime() - clearAt < THROTTLE_READING.toNanos()) return;
            JobStore.Settings s = jobs.settings(plan.id());
            if (s == null || s.throttleReason() == null || !jobs.live(plan.id())) {
                clearAt = System.nanoTime();
                return;
            }
            if (!s.throttleReason().equals(said)) progress.accept("verify waits: " + s.throttleReason());
            said = s.throttleReason();
            Thread.sleep(250);
        }
    }

    /** Re-copies the differing rows of a report (or shows the SQL when {@code apply} is false). */
    public List<Repair.Outcome> repair(Report report, boolean apply) throws SQLException {
        List<Repair.Outcome> out = new ArrayList<>();
        for (TableSpec spec : chosen(report.tables().stream().map(TableResult::table).toList())) {
            TableResult r = report.tables().stream().filter(t -> t.table().equals(spec.table())).findFirst().orElseThrow();
            if (!r.diffs().isEmpty()) out.add(Repair.run(Verifier.withTargetTypes(spec, target), r.diffs(), target, Map.copyOf(sources), apply));
        }
        return out;
    }

    private List<TableSpec> chosen(List<String> tables) {
        List<TableSpec> all = specs(plan);
        if (tables == null || tables.isEmpty()) return all;
        for (String t : tables) {
            if (all.stream().noneMatch(s -> s.table().equals(t))) throw new IllegalArgumentException("table '" + t + "' is not in merge plan " + plan.id());
        }
        return all.stream().filter(s -> tables.contains(s.table())).toList();
    }

    /**
     * Waits until the job's stream has applied everything the sources committed before this call,
     * with one marker per source; false when no live process streams this job (nothing to wait for).
     */
    boolean barrier(Collection<String> groups) throws Exception {
        if (drained) return true;
        JobState s = jobs.state(plan.id());
        if (!EnumSet.of(JobState.STREAMING, JobState.VERIFYING, JobState.CUTTING_OVER).contains(s) || !jobs.live(plan.id())) return false;
        Map<String, Long> seqs = new LinkedHashMap<>();
        for (String g : groups) {
            try (Connection c = sources.get(g).getConnection()) {
                seqs.put(g, Markers.write(c, plan.id(), g));
            }
        }
        long deadline = System.nanoTime() + BARRIER_DEADLINE.toNanos();
        try (Connection t = target.getConnection()) {
            for (var e : seqs.entrySet()) {
                while (Markers.applied(t, plan.id(), e.getKey()) < e.getValue()) {
                    if (System.nanoTime() > deadline) return false;
                    Thread.sleep(20);
                }
            }
        }
        return true;
    }

    private Timestamp targetClock() throws SQLException {
        try (Connection c = target.getConnection(); var st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT NOW(6)")) {
            rs.next();
            return rs.getTimestamp(1);
        }
    }

    private List<List<Object>> touchedSince(String table, Timestamp since) throws SQLException {
        try (Connection c = target.getConnection()) {
            return io.shardkit.merge.TouchedLog.since(c, plan.id(), since, table).getOrDefault(table, java.util.Set.of()).stream().map(KeyValues::decode).toList();
        }
    }

    /** Those of these keys the stream wrote at or after {@code since}, as key text. */
    private java.util.Set<String> touchedAmong(String table, Timestamp since, List<List<Object>> keys) throws SQLException {
        java.util.Set<String> written;
        try (Connection c = target.getConnection()) {
            written = io.shardkit.merge.TouchedLog.since(c, plan.id(), since, table).getOrDefault(table, java.util.Set.of());
        }
        java.util.Set<String> out = new java.util.HashSet<>();
        for (List<Object> k : keys) {
            String text = KeyValues.encode(k);
            if (written.contains(text)) out.add(text);
        }
        return out;
    }

    /** Housekeeping: forgets the keys written before every table's latest clean pass began. */
    private void pruneTouched() throws SQLException {
        Map<String, VerifyStore.Run> latest = store.latest(plan.id());
        Timestamp oldest = null;
        for (Plan.TablePlan t : plan.tables()) {
            VerifyStore.Run r = latest.get(t.table());
            if (r == null || !r.clean() || r.targetClockStart() == null) return;
            if (oldest == null || r.targetClockStart().before(oldest)) oldest = r.targetClockStart();
        }
        if (oldest == null) return;
        try (Connection c = target.getConnection()) {
            io.shardkit.merge.TouchedLog.prune(c, plan.id(), oldest);
        }
    }

    /**
     * The sources are frozen and their final markers delivered: nothing is in flight, so re-checks
     * need not wait (and could not: a fenced source takes no marker).
     */
    void assumeDrained() {
        drained = true;
    }

    /** The primary of a source or target group as found when this verify connected. */
    io.shardkit.topology.InstanceState primary(String group) {
        return primaries.get(group);
    }

    DataSource target() {
        return target;
    }

    Map<String, HikariDataSource> sources() {
        return sources;
    }

    @Override
    public void close() {
        target.close();
        sources.values().forEach(HikariDataSource::close);
    }
}
