package io.shardkit.rollback;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.shardkit.catalog.Catalog;
import io.shardkit.merge.JobState;
import io.shardkit.merge.JobStore;
import io.shardkit.merge.Markers;
import io.shardkit.merge.MergeControl;
import io.shardkit.merge.MetaTables;
import io.shardkit.merge.Plan;
import io.shardkit.merge.stream.BinlogStream;
import io.shardkit.merge.stream.StreamSource;
import io.shardkit.mysql.BinlogPosition;
import io.shardkit.mysql.ConnectionSettings;
import io.shardkit.mysql.Connections;
import io.shardkit.mysql.Credential;
import io.shardkit.mysql.Queries;
import io.shardkit.topology.Discovery;
import io.shardkit.topology.FleetView;
import io.shardkit.topology.InstanceState;
import io.shardkit.topology.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * The reverse stream of a rollback: after a cutover, the target's binlog from the position the
 * cutover recorded at its switch (everything after it is the application's) is applied to the
 * sources, each row to the source that owns its key. The sources stay read-only for applications
 * throughout (read_only; shardkit's administrative session passes it), so the only writer on them
 * is this stream, and the switch back ({@link SwitchBack}) can prove them equal to the target.
 * Running it again resumes from the sources' checkpoints.
 */
public final class ReverseJob implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration MARKER_DEADLINE = Duration.ofSeconds(60);

    public record Settings(Duration window, String newRowsTo) {}

    private final Plan plan;
    private final Topology topology;
    private final Credential admin;
    private final Credential stream;
    private final Catalog catalog;
    private final JobStore jobs;
    private final Path stateDir;
    private final Settings settings;
    private final MergeControl control;
    private final Consumer<String> progress;
    private final Map<String, HikariDataSource> sourcePools = new LinkedHashMap<>();
    private HikariDataSource targetPool;
    private BinlogStream binlog;
    private ReverseSink sink;

    public ReverseJob(Plan plan, Topology topology, Credential admin, Credential stream, Catalog catalog, Path stateDir, Settings settings,
                      MergeControl control, Consumer<String> progress) {
        this.plan = plan;
        this.topology = topology;
        this.admin = admin;
        this.stream = stream != null ? stream : admin;
        this.catalog = catalog;
        this.jobs = new JobStore(catalog);
        this.stateDir = stateDir;
        this.settings = settings;
        this.control = control;
        this.progress = progress;
    }

    public enum Until { CAUGHT_UP, STOPPED }

    public void run(Until until) throws Exception {
        String id = plan.id();
        JobState state = jobs.state(id);
        if (state != JobState.DONE && state != JobState.ROLLING_BACK) {
            throw new IllegalStateException("merge " + id + " is " + state + ": only a merge that was cut over (DONE) can be rolled back");
        }
        CutoverPoint point = cutoverPoint();
        if (state == JobState.DONE) {
            if (point.finishedAt().isBefore(Instant.now().minus(settings.window()))) {
                throw new IllegalStateException("merge " + id + " was cut over at " + point.finishedAt() + ", outside the rollback window of "
                        + settings.window().toHours() + " h: the sources are too far behind to switch back safely");
            }
        }
        if (settings.newRowsTo() != null && plan.sources().stream().noneMatch(s -> s.group().equals(settings.newRowsTo()))) {
            throw new IllegalArgumentException("--new-rows-to " + settings.newRowsTo() + " is not a source of merge " + id);
        }
        Map<String, InstanceState> primaries = primaries();
        openPools(primaries);
        prepareServers(primaries);
        Map<String, Object> from = startPosition(point);
        if (state == JobState.DONE) jobs.move(id, JobState.ROLLING_BACK, "rollback: streaming the target's writes back to the sources");
        sink = new ReverseSink(id, plan, Map.copyOf(sourcePools), targetPool, settings.newRowsTo());
        startStream(primaries.get(plan.target().group()), from);
        Thread watcher = Thread.ofVirtual().start(this::watchCatalog);
        try {
            awaitCaughtUp();
            if (until == Until.CAUGHT_UP) return;
            while (!control.stopRequested()) {
                check();
                Thread.sleep(200);
            }
        } finally {
            watcher.interrupt();
            jobs.releaseAfter(watcher, plan.id()).ifPresent(why -> progress.accept("could not give the job up in the catalog (another process may take it over in 5 s): " + why));
        }
    }

    /** Where the cutover left the target's binlog, and when. */
    record CutoverPoint(String file, long pos, String gtid, Instant finishedAt) {}

    private CutoverPoint cutoverPoint() {
        CutoverPoint p = catalog.query("SELECT target_binlog_file, target_binlog_pos, target_gtid, finished_at FROM cutovers WHERE job_id = ? AND outcome = 'done'"
                + " AND (direction IS NULL OR direction = 'forward') ORDER BY cutover_id DESC", rs -> rs.next()
                ? new CutoverPoint(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getTimestamp(4).toInstant()) : null, plan.id());
        if (p == null) throw new IllegalStateException("merge " + plan.id() + " has no completed cutover to roll back");
        if (p.file() == null) throw new IllegalStateException("the cutover of " + plan.id() + " recorded no target binlog position (cut over by an older shardkit)");
        return p;
    }

    private Map<String, InstanceState> primaries() {
        List<String> groups = new ArrayList<>(plan.sources().stream().map(Plan.Source::group).toList());
        groups.add(plan.target().group());
        FleetView view = new FleetView(topology, new Discovery(topology, admin).probe(groups.stream().flatMap(g -> topology.group(g).instanceNames().stream()).toList()));
        Map<String, InstanceState> out = new LinkedHashMap<>();
        for (String g : groups) {
            String p = view.group(g).primary().orElseThrow(() -> new IllegalStateException("group " + g + " has no primary"));
            InstanceState s = view.state(p);
            if (!s.reachable()) throw new IllegalStateException("primary " + p + " of " + g + " is not reachable");
            out.put(g, s);
        }
        return out;
    }

    private void openPools(Map<String, InstanceState> primaries) {
        targetPool = Connections.pool("rollback-" + plan.target().group(), topology.instance(primaries.get(plan.target().group()).instance()).endpoint(), admin, ConnectionSettings.ADMIN, 2);
        for (Plan.Source s : plan.sources()) {
            sourcePools.put(s.group(), Connections.pool("rollback-" + s.group(), topology.instance(primaries.get(s.group()).instance()).endpoint(), admin, ConnectionSettings.BULK, 3));
        }
    }

    private void prepareServers(Map<String, InstanceState> primaries) throws SQLException {
        try (Connection t = targetPool.getConnection()) {
            MetaTables.onSource(t); // the rollback's markers are written on the target
        }
        for (var e : sourcePools.entrySet()) {
            try (Connection c = e.getValue().getConnection()) {
                // read-only for applications, writable for this stream (MySQL: super_read_only off, read_only kept on)
                Queries.execute(c, primaries.get(e.getKey()).flavor().freezeWrites());
                MetaTables.onTarget(c);
                Owners.createTable(c);
            }
        }
    }

    /**
     * The earliest checkpoint among the sources (a crash between two sources' commits leaves one
     * behind: the others replay, idempotently); the cutover's position when any source has none.
     */
    private Map<String, Object> startPosition(CutoverPoint point) throws Exception {
        Map<String, Object> earliest = null;
        BinlogPosition min = null;
        for (DataSource s : sourcePools.values()) {
            try (Connection c = s.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "SELECT position FROM " + MetaTables.DB + ".stream_position WHERE job_id = ? AND source = ?")) {
                ps.setString(1, plan.id());
                ps.setString(2, plan.target().group());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return fromCutover(point);
                    @SuppressWarnings("unchecked")
                    Map<String, Object> pos = JSON.readValue(rs.getString(1), Map.class);
                    BinlogPosition bp = new BinlogPosition(String.valueOf(pos.get("file")), ((Number) pos.get("pos")).longValue());
                    if (min == null || bp.compareTo(min) < 0) {
                        min = bp;
                        earliest = pos;
                    }
                }
            }
        }
        return earliest;
    }

    /** A Debezium offset at the cutover's switch: binlog file and position, and the GTIDs executed by then. */
    private static Map<String, Object> fromCutover(CutoverPoint p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", p.file());
        m.put("pos", p.pos());
        if (p.gtid() != null && !p.gtid().isBlank()) m.put("gtids", p.gtid().replaceAll("\\s+", ""));
        m.put("ts_sec", p.finishedAt().getEpochSecond());
        return m;
    }

    private void startStream(InstanceState targetPrimary, Map<String, Object> from) throws Exception {
        String g = plan.target().group();
        Path history = stateDir.resolve("jobs").resolve(plan.id()).resolve("rollback-" + g + ".history");
        Files.createDirectories(history.getParent());
        Files.deleteIfExists(history);
        long serverId = 3_000_000_000L - Math.abs((long) (plan.id() + "/rollback").hashCode() % 1_000_000_000L);
        StreamSource src = new StreamSource(g, targetPrimary.flavor().family(), topology.instance(targetPrimary.instance()).endpoint(), stream, serverId,
                plan.database(), plan.tables().stream().map(Plan.TablePlan::table).toList(), List.of(MetaTables.DB + ".markers"), from, history);
        binlog = new BinlogStream(src, sink);
        binlog.start();
        progress.accept("rollback stream from " + g + " (" + targetPrimary.instance() + ") to " + plan.sources().size() + " sources: starting");
    }

    /** Returns once every source has applied everything the target committed before this call. */
    public void awaitCaughtUp() throws Exception {
        long seq;
        try (Connection t = targetPool.getConnection()) {
            seq = Markers.write(t, plan.id(), plan.target().group());
        }
        long deadline = System.nanoTime() + MARKER_DEADLINE.toNanos();
        while (plan.sources().stream().anyMatch(s -> sink.markers.getOrDefault(s.group(), 0L) < seq)) {
            check();
            if (System.nanoTime() > deadline) throw new IllegalStateException("the rollback stream did not deliver its marker within " + MARKER_DEADLINE.toSeconds() + " s");
            Thread.sleep(20);
        }
        progress.accept("rollback stream caught up: " + sink.applied.get() + " row events applied to the sources so far");
    }

    private void check() {
        if (binlog.isStopped() || binlog.failure() != null) {
            Throwable f = binlog.failure();
            String why = sink.ddlSeen != null ? sink.ddlSeen : f == null ? "stopped" : String.valueOf(f.getMessage());
            throw new IllegalStateException("the rollback stream of " + plan.id() + " stopped: " + why + " (run 'merge rollback " + plan.id() + "' again to resume)", f);
        }
        if (binlog.silentFor().compareTo(BinlogStream.SILENCE) > 0) {
            throw new IllegalStateException("the rollback stream of " + plan.id() + " has received nothing from the target for " + binlog.silentFor().toSeconds()
                    + " s, not even a heartbeat (its connection died silently; run 'merge rollback " + plan.id() + "' again to resume)");
        }
    }


    /** Heartbeat for the switch back (it needs a live stream); stops when the job leaves ROLLING_BACK. */
    private void watchCatalog() {
        while (!Thread.currentThread().isInterrupted() && !control.stopRequested()) {
            try {
                if (jobs.state(plan.id()) != JobState.ROLLING_BACK) control.requestStop();
                else jobs.heartbeat(plan.id());
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                progress.accept("catalog watch: " + e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        control.requestStop();
        if (binlog != null) binlog.close();
        if (targetPool != null) targetPool.close();
        sourcePools.values().forEach(HikariDataSource::close);
    }
}
