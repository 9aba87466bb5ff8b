package io.shardkit.merge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.shardkit.merge.stream.BinlogStream;
import io.shardkit.merge.stream.StreamSource;
import io.shardkit.mysql.ConnectionSettings;
import io.shardkit.mysql.Connections;
import io.shardkit.mysql.Credential;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Runs a stored plan: start one binlog stream per source, prove each is live with a marker, copy
 * every table in key-ordered chunks (sources in parallel) while the streams apply, then keep
 * streaming. Reads top to bottom like the runbook it is; {@link #run} is also how a job resumes,
 * since every step starts from the checkpoints on the target.
 */
public final class MergeJob implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration MARKER_DEADLINE = Duration.ofSeconds(60);

    private final Plan plan;
    private final Topology topology;
    private final Credential admin;
    private final Credential stream;
    private final JobStore jobs;
    private final Path stateDir;
    private final MergeControl control;
    private final Consumer<String> progress;
    private final Map<String, HikariDataSource> sourcePools = new LinkedHashMap<>();
    private final Map<String, BinlogStream> streams = new java.util.concurrent.ConcurrentHashMap<>();
    private long nextPrimaryCheck;
    private final List<Copier> copiers = new ArrayList<>();
    private volatile HikariDataSource targetPool;
    private volatile TargetSink sink;
    private final Map<String, InstanceState> primaries = new LinkedHashMap<>();

    public MergeJob(Plan plan, Topology topology, Credential admin, Credential stream, JobStore jobs, Path stateDir, MergeControl control, Consumer<String> progress) {
        this.plan = plan;
        this.topology = topology;
        this.admin = admin;
        this.stream = stream != null ? stream : admin;
        this.jobs = jobs;
        this.stateDir = stateDir;
        this.control = control;
        this.progress = progress;
    }

    /** What the job should do once copied and streaming. */
    public enum Until { CAUGHT_UP, STOPPED }

    public void run(Until until) throws Exception {
        String id = plan.id();
        synchronized (throttleLock) {
            ended = false;
        }
        Thread watcher = Thread.ofVirtual().start(this::watchCatalog);
        Thread throttler = Thread.ofVirtual().start(this::collectThrottleMetrics);
        try {
            findPrimaries();
            openPools();
            prepareServers();
            sink = new TargetSink(id, plan, targetPool, control, sourcePools::get);
            for (Plan.Source s : plan.sources()) recordStartPosition(s.group());
            for (Plan.Source s : plan.sources()) startStream(s.group());
            // no need to wait for the streams to connect: each starts from its recorded position, which precedes
            // every chunk the copy reads (see Copier), and a stream that fails to start stops the copy (checkStreams)
            boolean copying = !copyComplete();
            // a resumed job whose copy is complete never goes back to COPYING: a verify may run while it reconnects
            if (copying) jobs.move(id, JobState.COPYING, "streams starting on " + plan.sources().size() + " sources from recorded positions; copying");
            jobs.heartbeat(id); // at once, not at the watcher's next tick: others ask whether a live process drives the job
            String copied = null;
            if (copying) {
                long copyStart = System.nanoTime();
                sampleThrottle();
                copyAll();
                double secs = (System.nanoTime() - copyStart) / 1e9;
                long rows = copiers.stream().mapToLong(c -> c.copied.get()).sum();
                long loaded = copiers.stream().mapToLong(c -> c.loadedChunks.get()).sum();
                long inserted = copiers.stream().mapToLong(c -> c.insertedChunks.get()).sum();
                copied = String.format("copy finished: %d rows in %.1f s (%.0f rows/s; chunks: %d by LOAD DATA, %d by INSERT); streaming",
                        rows, secs, secs > 0 ? rows / secs : 0, loaded, inserted);
                for (Copier c : copiers) {
                    if (c.loadFallback.get() != null) progress.accept("copy: " + c.table() + " from " + c.source() + " fell back from LOAD DATA to INSERT (first reason: " + c.loadFallback.get() + ")");
                }
            }
            awaitMarkers(plan.sources().stream().map(Plan.Source::group).toList());
            jobs.move(id, JobState.STREAMING, copying ? "copy finished; streaming" : "streaming");
            jobs.heartbeat(id);
            if (copied != null) progress.accept(copied); // after STREAMING: scripts wait for this line to verify
            if (until == Until.CAUGHT_UP) {
                awaitCaughtUp();
                return;
            }
            while (!control.stopRequested()) {
                checkStreams();
                Thread.sleep(200);
            }
        } catch (RowMapper.KeyConflict e) {
            jobs.move(id, JobState.CONFLICT, e.getMessage());
            throw e;
        } catch (InterruptedException e) {
            if (!control.stopRequested()) Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (sink != null && sink.ddlSeen != null) {
                jobs.move(id, JobState.PAUSED, sink.ddlSeen);
                throw new IllegalStateException("merge " + id + " paused: " + sink.ddlSeen, e);
            }
            Throwable conflict = rootOf(e, RowMapper.KeyConflict.class);
            if (conflict != null) {
                jobs.move(id, JobState.CONFLICT, conflict.getMessage());
                throw new IllegalStateException("merge " + id + " in conflict: " + conflict.getMessage(), e);
            }
            if (jobs.state(id).canMoveTo(JobState.FAILED)) jobs.move(id, JobState.FAILED, String.valueOf(e.getMessage()));
            throw e;
        } finally {
            watcher.interrupt();
            jobs.releaseAfter(watcher, plan.id()).ifPresent(why -> progress.accept("could not give the job up in the catalog (another process may take it over in 5 s): " + why));
            throttler.interrupt();
            withdrawThrottle();
        }
    }

    /**
     * A throttle reported by this process means nothing once it stops enforcing it: withdraw it, so
     * status and verify do not show a reason nobody holds (a replica that lagged behind the copy's
     * last chunks was still reported after the job had returned caught up).
     */
    private void withdrawThrottle() {
        synchronized (throttleLock) {
            ended = true;
            if (lastThrottleReason == null) return;
            try {
                jobs.reportThrottle(plan.id(), null);
                lastThrottleReason = null;
            } catch (RuntimeException e) {
                progress.accept("could not withdraw the throttle report: " + e.getMessage());
            }
        }
    }

    /** Collectors for {@link Throttle}: target replicas' lag and Threads_running on every primary, twice a second. */
    private void collectThrottleMetrics() {
        while (!Thread.currentThread().isInterrupted() && !control.stopRequested()) {
            try {
                Thread.sleep(500);
                if (primaries.size() < plan.sources().size() + 1) continue;
                sampleThrottle();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private volatile String lastThrottleReason;
    /** Set when run() returns: a sampler still in flight must not report again. */
    private boolean ended;
    /** Serializes readings (the sampler thread and the one before the copy), not the job: a probe can take a second. */
    private final Object throttleLock = new Object();

    /**
     * One throttle reading: target replicas' lag and every primary's Threads_running, decided
     * against the limits. Also taken once before the copy starts, so its first chunk already
     * respects a replica that is behind.
     */
    private void sampleThrottle() {
        synchronized (throttleLock) {
            sampleThrottleLocked();
        }
    }

    private void sampleThrottleLocked() {
        if (ended) return;
        try {
            String targetGroup = plan.target().group();
            List<String> members = topology.group(targetGroup).instanceNames();
            FleetView view = new FleetView(topology, new Discovery(topology, admin).probe(members));
            String targetPrimary = primaries.get(targetGroup).instance();
            Map<String, Long> lag = new LinkedHashMap<>();
            for (String m : members) {
                if (m.equals(targetPrimary)) continue;
                InstanceState s = view.state(m);
                // a member that is down or replicates from nobody (a failed old primary back standalone) is not a
                // replica the copy could leave behind; one whose replication is configured but broken is
                if (!s.reachable() || s.replica() == null) continue;
                boolean applying = s.replica().healthy() && s.replica().secondsBehind() != null;
                lag.put(m, applying ? s.replica().secondsBehind() * 1000 : null);
            }
            Map<String, Long> running = new LinkedHashMap<>();
            running.put("target primary " + targetPrimary, threadsRunning(targetPool));
            for (var e : sourcePools.entrySet()) running.put("source " + e.getKey() + " primary", threadsRunning(e.getValue()));
            Throttle.Decision d = Throttle.decide(new Throttle.Metrics(lag, running), control.limits());
            control.throttle(d.reason());
            if (!java.util.Objects.equals(lastThrottleReason, d.reason())) {
                jobs.reportThrottle(plan.id(), d.reason());
                progress.accept(d.throttled() ? "throttled: " + d.reason() : "throttle released");
                lastThrottleReason = d.reason();
            }
        } catch (Exception e) {
            control.throttle("throttle metrics unavailable: " + e.getMessage()); // unknown load is not permission to copy
        }
    }

    private static long threadsRunning(javax.sql.DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); var st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW GLOBAL STATUS LIKE 'Threads_running'")) {
            return rs.next() ? rs.getLong(2) : 0;
        }
    }

    /**
     * Follows operator commands given from other processes through the catalog (merge pause /
     * resume / abort) and keeps the job's heartbeat fresh.
     */
    private void watchCatalog() {
        while (!Thread.currentThread().isInterrupted() && !control.stopRequested()) {
            try {
                JobState s = jobs.state(plan.id());
                JobStore.Settings settings = jobs.settings(plan.id());
                if (settings != null) {
                    control.limits(new Throttle.Limits(settings.maxLagMillis(), settings.maxThreadsRunning()));
                    control.chunkSize(settings.chunkSize());
                }
                if (s == JobState.PAUSED) control.pause();
                else if (s.terminal()) control.requestStop();
                else control.resume();
                jobs.heartbeat(plan.id());
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                progress.accept("catalog watch: " + e.getMessage()); // the job goes on; the next poll retries
            }
        }
    }

    /**
     * Returns once every stream has applied everything its source committed before this call
     * (proved with a marker per source). The streams keep running.
     */
    public void awaitCaughtUp() throws Exception {
        awaitMarkers(plan.sources().stream().map(Plan.Source::group).toList());
        progress.accept("caught up with every source");
    }

    /**
     * A failure with the messages of its causes: Debezium wraps what went wrong ("Invalid date
     * 'FEBRUARY 30'") in "An exception occurred in the change event producer", which alone tells
     * an operator nothing.
     */
    static String causes(Throwable e) {
        java.util.LinkedHashSet<String> parts = new java.util.LinkedHashSet<>();
        for (Throwable t = e; t != null && parts.size() < 6; t = t.getCause()) {
            String m = t.getMessage();
            if (m == null || m.isBlank()) continue;
            String line = m.lines().findFirst().orElse("").strip();
            if (parts.stream().noneMatch(p -> p.contains(line))) parts.add(line);
        }
        String out = parts.isEmpty() ? e.getClass().getSimpleName() : String.join(": ", parts);
        return out.length() > 1000 ? out.substring(0, 1000) + "..." : out;
    }

    /** Row events the streams have applied since this job object started (tests prove a change went through the binlog). */
    public long eventsApplied() {
        TargetSink s = sink;
        return s == null ? 0 : s.events.values().stream().mapToLong(java.util.concurrent.atomic.AtomicLong::get).sum();
    }

    private static Throwable rootOf(Throwable e, Class<?> type) {
        for (Throwable t = e; t != null; t = t.getCause()) if (type.isInstance(t)) return t;
        return null;
    }

    private void findPrimaries() {
        List<String> groups = new ArrayList<>(plan.sources().stream().map(Plan.Source::group).toList());
        groups.add(plan.target().group());
        List<String> members = groups.stream().flatMap(g -> topology.group(g).instanceNames().stream()).toList();
        FleetView view = new FleetView(topology, new Discovery(topology, admin).probe(members));
        for (String g : groups) {
            String p = view.group(g).primary().orElseThrow(() -> new IllegalStateException("group " + g + " has no primary"));
            InstanceState s = view.state(p);
            if (!s.reachable() || !s.writable()) throw new IllegalStateException("primary " + p + " of " + g + " is not reachable and writable");
            primaries.put(g, s);
        }
    }

    private void openPools() {
        targetPool = targetPool(primaries.get(plan.target().group()));
        for (Plan.Source s : plan.sources()) {
            sourcePools.put(s.group(), Connections.pool(s.group(), topology.instance(primaries.get(s.group()).instance()).endpoint(), admin, ConnectionSettings.BULK, 4));
        }
    }

    private void prepareServers() throws SQLException {
        // sources first: the target's tables are made with the help of a source's _shardkit database (ExactDdl)
        for (HikariDataSource s : sourcePools.values()) {
            try (Connection c = s.getConnection()) {
                MetaTables.onSource(c);
            }
        }
        try (Connection t = targetPool.getConnection()) {
            MetaTables.onTarget(t);
            try (Connection ref = sourcePools.get(plan.sources().getFirst().group()).getConnection()) {
                for (Plan.TablePlan tp : plan.tables()) TargetTables.create(plan, tp, ref, t);
            }
        }
    }

    /**
     * A source without a stream checkpoint gets one at its current position: executed GTIDs read
     * first, then the binlog file and position, both before the copy reads anything. The stream
     * starts there (by GTID; the file position is no earlier), so every write the copy might miss
     * is streamed: the copy need not wait for Debezium to connect.
     */
    private void recordStartPosition(String group) throws Exception {
        try (Connection t = targetPool.getConnection();
             PreparedStatement ps = t.prepareStatement("SELECT 1 FROM " + MetaTables.DB + ".stream_position WHERE job_id = ? AND source = ?")) {
            ps.setString(1, plan.id());
            ps.setString(2, group);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) return;
            }
            io.shardkit.mysql.Flavor f = primaries.get(group).flavor();
            Map<String, Object> position = new LinkedHashMap<>();
            String gtid;
            try (Connection c = sourcePools.get(group).getConnection()) {
                gtid = io.shardkit.mysql.Queries.string(c, f.gtidExecutedQuery());
                try (var st = c.createStatement(); ResultSet rs = st.executeQuery(f.binlogStatusQuery())) {
                    if (!rs.next()) throw new IllegalStateException("source " + group + " has no binary log");
                    position.put("file", rs.getString(1));
                    position.put("pos", rs.getLong(2));
                }
            }
            if (gtid != null && !gtid.isBlank()) position.put("gtids", gtid.replaceAll("\\s+", ""));
            position.put("ts_sec", java.time.Instant.now().getEpochSecond());
            MetaTables.savePosition(t, plan.id(), group, position, gtid, 0, null);
        }
    }

    /** How many times each source's stream was started in this process. */
    private final Map<String, Integer> generations = new java.util.concurrent.ConcurrentHashMap<>();

    private synchronized void startStream(String group) throws Exception {
        Map<String, Object> resume = null;
        try (Connection t = targetPool.getConnection();
             PreparedStatement ps = t.prepareStatement("SELECT position FROM " + MetaTables.DB + ".stream_position WHERE job_id = ? AND source = ?")) {
            ps.setString(1, plan.id());
            ps.setString(2, group);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = JSON.readValue(rs.getString(1), Map.class);
                    resume = m;
                }
            }
        }
        InstanceState p = primaries.get(group);
        Path history = stateDir.resolve("jobs").resolve(plan.id()).resolve(group + ".history");
        Files.createDirectories(history.getParent());
        // the schema history is rebuilt at every start (see BinlogStream): a leftover would contradict it
        Files.deleteIfExists(history);
        // a replica id of its own at every start: a stream restarted while its predecessor's connection still lingers on the
        // source (its apply stuck on a target host that died silently) would otherwise be refused as a duplicate (4052)
        int generation = generations.merge(group, 1, Integer::sum);
        long serverId = 4_000_000_000L - Math.abs((long) (plan.id() + "/" + group + (generation == 1 ? "" : "/" + generation)).hashCode() % 1_000_000_000L);
        StreamSource src = new StreamSource(group, p.flavor().family(), topology.instance(p.instance()).endpoint(), stream, serverId,
                plan.database(), plan.tables().stream().map(Plan.TablePlan::table).toList(), List.of(MetaTables.DB + ".markers"), resume, history);
        BinlogStream bs = new BinlogStream(src, sink);
        streams.put(group, bs);
        bs.start();
        progress.accept("stream " + group + ": " + (resume == null ? "starting at the current position" : "resuming from its checkpoint"));
    }

    /**
     * Writes markers on the sources until each one's stream applies one: proof that the streams are
     * live and have applied everything their sources committed before the marker. A marker written
     * before a stream fixed its start position is never seen, hence the rewrites (every 250 ms: a
     * stream starting up usually misses the first). All sources at once: waiting for them one after
     * the other cost a merge start about a second per source.
     */
    private void awaitMarkers(List<String> groups) throws Exception {
        long deadline = System.nanoTime() + MARKER_DEADLINE.toNanos();
        Map<String, Long> seq = new LinkedHashMap<>();
        Map<String, Long> nextWrite = new LinkedHashMap<>();
        while (true) {
            List<String> pending = groups.stream().filter(g -> sink.markers.getOrDefault(g, Long.MIN_VALUE) < seq.getOrDefault(g, Long.MAX_VALUE)).toList();
            if (pending.isEmpty()) return;
            checkStreams();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("stream of " + String.join(", ", pending) + " did not deliver its marker within " + MARKER_DEADLINE.toSeconds() + " s");
            }
            for (String g : pending) {
                if (System.nanoTime() < nextWrite.getOrDefault(g, 0L)) continue;
                // the marker must go to the group's current primary: written on a demoted one it would be an
                // errant transaction there, and it would "prove" a stream that no longer reads the primary
                if (!seq.containsKey(g)) restartOnPrimary(g, false);
                Long written = writeMarker(g);
                if (written != null) seq.putIfAbsent(g, written);
                nextWrite.put(g, System.nanoTime() + 250_000_000L);
            }
            Thread.sleep(20);
        }
    }

    /** Writes a marker on the group's primary; null when that server turned read-only. */
    private Long writeMarker(String group) throws SQLException {
        try (Connection c = sourcePools.get(group).getConnection()) {
            // administrative users pass read_only on MariaDB: refuse here rather than write on a replica
            try (var st = c.createStatement(); ResultSet rs = st.executeQuery(primaries.get(group).flavor().readOnlyQuery())) {
                if (rs.next() && (rs.getBoolean(1) || rs.getBoolean(2))) return null;
            }
            return Markers.write(c, plan.id(), group);
        }
    }

    private synchronized void checkStreams() throws Exception {
        boolean anyFailed = streams.values().stream().anyMatch(s -> s.failure() != null);
        if (anyFailed && followTarget()) return;
        if (anyFailed && !targetWritable()) {
            // the target is mid-failover (fenced, sessions killed, no new primary yet): restarting the streams now would
            // only fail on it; wait for its new primary (followTarget, next round), within a deadline
            if (targetWaitSince == 0) {
                targetWaitSince = System.nanoTime();
                progress.accept("target " + plan.target().group() + " is not writable: waiting for its primary");
            } else if (System.nanoTime() - targetWaitSince > Duration.ofMinutes(5).toNanos()) {
                throw new IllegalStateException("target " + plan.target().group() + " has had no writable primary for 5 minutes");
            }
            return;
        }
        targetWaitSince = 0;
        for (BinlogStream s : List.copyOf(streams.values())) {
            if (s.failure() != null) {
                if (sink.ddlSeen != null) throw new IllegalStateException(sink.ddlSeen, s.failure());
                Throwable c = rootOf(s.failure(), RowMapper.KeyConflict.class);
                if (c != null) throw (RowMapper.KeyConflict) c;
                Throwable refused = rootOf(s.failure(), ApplyRefused.class);
                if (refused != null) throw (ApplyRefused) refused;
                String why = causes(s.failure());
                failures.record(s.sourceName(), why, sink.events.getOrDefault(s.sourceName(), new java.util.concurrent.atomic.AtomicLong()).get());
                progress.accept("stream " + s.sourceName() + " failed (" + why + "): looking for its primary");
                restartOnPrimary(s.sourceName(), true);
            } else if (s.isStopped() && !control.stopRequested()) {
                restartOnPrimary(s.sourceName(), true);
            } else if (s.silentFor().compareTo(BinlogStream.SILENCE) > 0) {
                progress.accept("stream " + s.sourceName() + ": nothing from its source for " + s.silentFor().toSeconds()
                        + " s, not even a heartbeat (its connection died silently): reconnecting");
                restartOnPrimary(s.sourceName(), true);
            }
        }
        if (System.nanoTime() >= nextPrimaryCheck) {
            nextPrimaryCheck = System.nanoTime() + 2_000_000_000L;
            if (followTarget()) return;
            for (Plan.Source src : plan.sources()) restartOnPrimary(src.group(), false);
        }
    }

    /** The apply's and the copy's pool on the target primary: a copier and a stream per source, plus a little. */
    private HikariDataSource targetPool(InstanceState primary) {
        // row-based binlogs make READ COMMITTED safe, and it takes no gap locks: far fewer deadlocks between copy and stream
        return Connections.pool(plan.target().group(), topology.instance(primary.instance()).endpoint(), admin, ConnectionSettings.BULK_LOAD,
                plan.sources().size() * 3 + 2, "TRANSACTION_READ_COMMITTED");
    }

    private long targetWaitSince;
    /** Stops a stream that fails the same way again and again without applying anything in between. */
    private final StreamFailures failures = new StreamFailures(3);

    /** True when the target primary the apply writes to answers and is writable. */
    private boolean targetWritable() {
        try (Connection c = targetPool.getConnection()) {
            return !TargetSink.readOnly(c);
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Follows the target group's primary: when another member has become the writable primary, the
     * apply moves there. Every stream stops, the pool and sink are rebuilt on the new primary, and
     * each stream restarts from the checkpoint the new primary holds: checkpoints travel with the
     * rows they describe (same transaction, replicated together), so whatever the new primary
     * received is exactly what the streams resume after. The apply refuses to write on a read-only
     * target ({@link TargetSink}), so nothing is written on the demoted one meanwhile.
     * Returns true when it moved.
     */
    private synchronized boolean followTarget() throws Exception {
        String g = plan.target().group();
        FleetView view = new FleetView(topology, new Discovery(topology, admin).probe(topology.group(g).instanceNames()));
        InstanceState now = view.group(g).primary().map(view::state).orElse(null);
        String was = primaries.get(g).instance();
        if (now == null || now.instance().equals(was) || !now.reachable() || !now.writable()) return false;
        progress.accept("target " + g + ": primary moved from " + was + " to " + now.instance() + "; the apply follows, streams resume from its checkpoints");
        // the old target may have died silently, its applies stuck in writes TCP has not given up on: every stream is told
        // to stop at once and given a few seconds, not one after the other with a long grace each
        List<Thread> closing = new ArrayList<>();
        for (BinlogStream old : streams.values()) closing.add(Thread.ofVirtual().start(() -> old.close(Duration.ofSeconds(5))));
        for (Thread t : closing) t.join();
        streams.clear();
        primaries.put(g, now);
        HikariDataSource oldPool = targetPool;
        targetPool = targetPool(now);
        sink = new TargetSink(plan.id(), plan, targetPool, control, sourcePools::get);
        oldPool.close();
        for (Plan.Source s : plan.sources()) startStream(s.group());
        return true;
    }

    /**
     * Follows a source group's primary: when it is no longer the server the stream reads (a
     * failover or switchover, by shardkit or anyone), the stream restarts on the new primary from
     * its checkpoint, by GTID. While the group has no writable primary, waits (up to a deadline).
     */
    private synchronized void restartOnPrimary(String group, boolean mustRestart) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (true) {
            List<String> members = topology.group(group).instanceNames();
            FleetView view = new FleetView(topology, new Discovery(topology, admin).probe(members));
            InstanceState now = view.group(group).primary().map(view::state).orElse(null);
            InstanceState current = view.state(primaries.get(group).instance());
            // a primary made read-only by a cutover's freeze is still the one to stream from
            if (!mustRestart && current != null && current.reachable() && (now == null || now.instance().equals(current.instance()))) return;
            boolean usable = now != null && now.reachable() && (now.writable() || now.instance().equals(primaries.get(group).instance()));
            if (usable) {
                String from = primaries.get(group).instance();
                primaries.put(group, now);
                BinlogStream old = streams.remove(group);
                if (old != null) old.close();
                if (!from.equals(now.instance())) {
                    // a copier mid-chunk on the old primary loses its connection and reads the chunk again from the new pool
                    HikariDataSource oldPool = sourcePools.put(group, Connections.pool(group, topology.instance(now.instance()).endpoint(), admin, ConnectionSettings.BULK, 4));
                    if (oldPool != null) oldPool.close();
                }
                progress.accept(from.equals(now.instance()) ? "stream " + group + ": restarting on " + now.instance()
                        : "source " + group + ": primary moved from " + from + " to " + now.instance() + "; its stream resumes there by GTID");
                startStream(group);
                return;
            }
            if (control.stopRequested()) return;
            if (System.nanoTime() > deadline) throw new IllegalStateException("source " + group + " has had no writable primary for 5 minutes");
            Thread.sleep(1000);
        }
    }

    /** Whether every table of every source has been copied (a resumed job). */
    private boolean copyComplete() throws SQLException {
        try (Connection t = targetPool.getConnection();
             PreparedStatement ps = t.prepareStatement("SELECT COUNT(*) FROM " + MetaTables.DB + ".copy_progress WHERE job_id = ? AND done = 1")) {
            ps.setString(1, plan.id());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) >= (long) plan.sources().size() * plan.tables().size();
            }
        }
    }

    private void copyAll() throws Exception {
        boolean loadData;
        try (Connection t = targetPool.getConnection()) {
            loadData = io.shardkit.mysql.LoadData.allowed(t);
        }
        if (!loadData) progress.accept("copy: the target does not allow LOAD DATA LOCAL (local_infile=OFF); copying with batched INSERTs");
        try (ExecutorService ex = Executors.newFixedThreadPool(plan.sources().size())) {
            List<Future<?>> fs = new ArrayList<>();
            for (Plan.Source s : plan.sources()) {
                List<Copier> mine = new ArrayList<>();
                for (Plan.TablePlan t : plan.tables()) mine.add(new Copier(plan.id(), plan, t, s.group(), () -> sourcePools.get(s.group()), () -> targetPool, control, sink.guard(), loadData));
                copiers.addAll(mine);
                fs.add(ex.submit(() -> {
                    for (Copier c : mine) c.run();
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                while (true) {
                    try {
                        f.get(200, java.util.concurrent.TimeUnit.MILLISECONDS);
                        break;
                    } catch (java.util.concurrent.TimeoutException te) {
                        checkStreams();
                    } catch (java.util.concurrent.ExecutionException ee) {
                        control.requestStop();
                        if (ee.getCause() instanceof Exception e) throw e;
                        throw ee;
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        control.requestStop();
        for (BinlogStream s : streams.values()) s.close();
        if (targetPool != null) targetPool.close();
        sourcePools.values().forEach(HikariDataSource::close);
    }
}
