package io.shardkit.rollback;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.shardkit.catalog.Catalog;
import io.shardkit.catalog.GroupLocks;
import io.shardkit.cutover.FreezeSteps;
import io.shardkit.cutover.MergeVerify;
import io.shardkit.cutover.Timeline;
import io.shardkit.endpoint.EndpointHook;
import io.shardkit.merge.JobState;
import io.shardkit.merge.JobStore;
import io.shardkit.merge.Markers;
import io.shardkit.merge.Plan;
import io.shardkit.merge.TouchedLog;
import io.shardkit.mysql.ConnectionSettings;
import io.shardkit.mysql.Connections;
import io.shardkit.mysql.Credential;
import io.shardkit.mysql.KeyValues;
import io.shardkit.mysql.Queries;
import io.shardkit.topology.Discovery;
import io.shardkit.topology.FleetView;
import io.shardkit.topology.InstanceState;
import io.shardkit.topology.Topology;
import io.shardkit.verify.TableResult;
import io.shardkit.verify.TableSpec;
import io.shardkit.verify.Verifier;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * The switch back of a rollback, the cutover's freeze run the other way: the target is frozen
 * (read_only, application sessions ended), a marker written on it and seen committed on every
 * source proves the reverse stream delivered everything the target acknowledged, the target is
 * fenced, and every row the reverse stream wrote since the cutover (recorded on the sources in the
 * same transactions) is verified against the target; the cutover's final verify proved the rest
 * equal, and nothing else has written to the sources since. Then the endpoint hook, a new shard-map
 * version, the sources writable, the job ROLLED_BACK. A failure before the switch makes the target
 * writable again and leaves the reverse stream running.
 */
public final class SwitchBack implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** @param moveWriterIps at the switch, move each source group's writer IP back from the target's host to its primary's */
    public record Settings(Duration maxFreeze, Duration maxLag, FreezeSteps.Sessions sessions, EndpointHook hook, Verifier.Settings verify, boolean moveWriterIps) {
        public Settings(Duration maxFreeze, Duration maxLag, FreezeSteps.Sessions sessions, EndpointHook hook, Verifier.Settings verify) {
            this(maxFreeze, maxLag, sessions, hook, verify, false);
        }
    }

    public enum Outcome { DONE, ABORTED, REFUSED }

    public record Result(Outcome outcome, String reason, long predictedFreezeMillis, long freezeMillis, List<Timeline.Step> timeline, long shardMapVersion, long rowsVerified) {}

    private static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    private final Plan plan;
    private final Topology topology;
    private final Catalog catalog;
    private final JobStore jobs;
    private final Set<String> ownUsers;
    private final Settings settings;
    private final Consumer<String> progress;
    private final Map<String, InstanceState> primaries = new LinkedHashMap<>();
    private final Map<String, HikariDataSource> sources = new LinkedHashMap<>();
    private final HikariDataSource target;
    private final String targetGroup;
    private Consumer<String> stepHook = s -> {};
    private io.shardkit.cutover.WriterIpMoves moves;

    public SwitchBack(Plan plan, Topology topology, Credential admin, Set<String> ownUsers, Catalog catalog, Settings settings, Consumer<String> progress) {
        this.plan = plan;
        this.topology = topology;
        this.catalog = catalog;
        this.jobs = new JobStore(catalog);
        this.ownUsers = ownUsers;
        this.settings = settings;
        this.progress = progress;
        this.targetGroup = plan.target().group();
        List<String> groups = new ArrayList<>(plan.sources().stream().map(Plan.Source::group).toList());
        groups.add(targetGroup);
        FleetView view = new FleetView(topology, new Discovery(topology, admin).probe(groups.stream().flatMap(g -> topology.group(g).instanceNames().stream()).toList()));
        for (String g : groups) {
            String p = view.group(g).primary().orElseThrow(() -> new IllegalStateException("group " + g + " has no reachable primary"));
            primaries.put(g, view.state(p));
        }
        for (Plan.Source s : plan.sources()) {
            sources.put(s.group(), Connections.pool("switchback-" + s.group(), topology.instance(primaries.get(s.group()).instance()).endpoint(), admin,
                    ConnectionSettings.BULK, settings.verify().parallelism() + 2));
        }
        target = Connections.pool("switchback-" + targetGroup, topology.instance(primaries.get(targetGroup).instance()).endpoint(), admin,
                ConnectionSettings.BULK, settings.verify().parallelism() + 2);
    }

    /** Fault injection for tests: called with each step's name as it begins. */
    public void onStep(Consumer<String> hook) {
        this.stepHook = hook;
    }

    public Result run() throws Exception {
        String id = plan.id();
        Timeline tl = new Timeline();
        List<String> groups = new ArrayList<>(sources.keySet());
        groups.add(targetGroup);
        String holder = "rollback:" + id + ":" + ProcessHandle.current().pid();
        GroupLocks locks = new GroupLocks(catalog);
        long rowId = catalog.insert("INSERT INTO cutovers (job_id, started_at, outcome, direction) VALUES (?, ?, ?, ?)", id, Timestamp.from(Instant.now()), "running", "rollback");
        try {
            JobState state = jobs.state(id);
            if (state != JobState.ROLLING_BACK) throw new Refused("merge " + id + " is " + state + ": the switch back needs its rollback stream running ('merge rollback " + id + "')");
            if (!jobs.live(id)) throw new Refused("no process runs the rollback stream of " + id + ": run 'merge rollback " + id + "' first");
            List<GroupLocks.Held> held = locks.acquire(groups, holder, "rollback");
            if (!held.isEmpty()) throw new Refused("group " + held.getFirst().group() + " is locked by " + held.getFirst().holder() + " (" + held.getFirst().purpose() + ")");
            long predicted = precheck(tl);
            return finish(rowId, frozen(tl, predicted));
        } catch (Refused e) {
            tl.end(null);
            return finish(rowId, new Result(Outcome.REFUSED, e.getMessage(), -1, 0, tl.steps(), 0, 0));
        } finally {
            locks.release(groups, holder);
        }
    }

    private long precheck(Timeline tl) throws Exception {
        tl.begin("precheck: rollback stream lag");
        stepHook.accept("precheck");
        long roundTrip = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            long seq;
            try (Connection t = target.getConnection()) {
                seq = Markers.write(t, plan.id(), targetGroup);
            }
            if (!delivered(seq, System.nanoTime() + Duration.ofSeconds(30).toNanos())) throw new Refused("the rollback stream did not deliver a marker within 30 s");
            roundTrip = Math.min(roundTrip, (System.nanoTime() - t0) / 1_000_000);
        }
        if (roundTrip > settings.maxLag().toMillis()) throw new Refused("rollback stream lag " + roundTrip + " ms is over the limit of " + settings.maxLag().toMillis() + " ms");
        tl.end("marker round trip " + roundTrip + " ms");

        if (settings.moveWriterIps()) {
            tl.begin("precheck: writer IPs");
            Map<String, String> names = new LinkedHashMap<>();
            primaries.forEach((g, st) -> names.put(g, st.instance()));
            try {
                moves = io.shardkit.cutover.WriterIpMoves.backToSources(topology, new ArrayList<>(sources.keySet()), names, targetGroup);
            } catch (io.shardkit.cutover.WriterIpMoves.NotPossible e) {
                throw new Refused(e.getMessage());
            }
            tl.end(sources.size() + " writer IP(s) to move back to their sources' hosts, where each primary listens");
        }

        // measures what the frozen verify will cost: the same keys, read while the stream still flows
        tl.begin("precheck: timing pass over the rows the rollback stream wrote");
        long t0 = System.nanoTime();
        long keys = verify(false).stream().mapToLong(TableResult::rows).sum();
        long millis = (System.nanoTime() - t0) / 1_000_000;
        double perKey = keys >= 100 ? (double) millis / keys : 0.05;
        long predicted = roundTrip + Math.round(keys * 1.25 * perKey) + 40;
        tl.end(String.format("%d rows in %d ms; predicted freeze %d ms", keys, millis, predicted));
        progress.accept("predicted freeze " + predicted + " ms; budget " + settings.maxFreeze().toMillis() + " ms");
        if (predicted > settings.maxFreeze().toMillis()) throw new Refused("predicted freeze " + predicted + " ms exceeds --max-freeze " + settings.maxFreeze().toMillis() + " ms");
        return predicted;
    }

    private Result frozen(Timeline tl, long predicted) throws Exception {
        long freezeStart = System.nanoTime();
        long deadline = freezeStart + Math.max(settings.maxFreeze().toNanos() * 3, Duration.ofSeconds(5).toNanos());
        var targetFlavor = primaries.get(targetGroup).flavor();
        long verified;
        try {
            tl.begin("freeze: read_only on the target");
            stepHook.accept("freeze");
            try (Connection c = target.getConnection()) {
                Queries.execute(c, targetFlavor.freezeWrites());
            }
            tl.begin("freeze: application sessions (" + settings.sessions().name().toLowerCase(java.util.Locale.ROOT) + ")");
            FreezeSteps.endSessions(target, ownUsers, settings.sessions(), deadline);
            tl.begin("freeze: final marker, fence");
            long seq;
            try (Connection c = target.getConnection()) {
                seq = Markers.write(c, plan.id(), targetGroup);
                Queries.execute(c, targetFlavor.fence());
            }
            tl.begin("drain: every source commits the final marker");
            stepHook.accept("drain");
            if (!delivered(seq, deadline)) throw new IllegalStateException("the rollback stream did not deliver its final marker in time");
            tl.begin("final verify: every row the rollback stream wrote");
            stepHook.accept("final-verify");
            List<TableResult> fin = verify(true);
            verified = fin.stream().mapToLong(TableResult::rows).sum();
            List<String> dirty = fin.stream().filter(r -> !r.clean()).map(r -> r.table() + ": " + r.diffs().size() + " rows differ").toList();
            if (!dirty.isEmpty()) throw new IllegalStateException("the final verify found differences: " + String.join("; ", dirty));
            tl.end(verified + " rows clean");
            if (System.nanoTime() > deadline) throw new IllegalStateException("the freeze ran past its hard limit");
            stepHook.accept("switch");
            if (moves != null) {
                tl.begin("switch: writer IPs back to the sources");
                tl.end(moves.apply());
            }
            if (settings.hook() != null) {
                tl.begin("switch: endpoint hook");
                tl.end(settings.hook().run(switchJson()).strip());
            }
        } catch (Exception e) {
            if (moves != null && moves.applied()) {
                tl.begin("abort: writer IPs back to the target");
                tl.end(moves.undo());
            }
            tl.begin("abort: target writable again");
            String failed = "";
            try (Connection c = target.getConnection()) {
                Queries.execute(c, targetFlavor.unfence());
            } catch (Exception u) {
                failed = "; could not make the target writable again: " + u.getMessage();
            }
            tl.end(failed.isEmpty() ? "target writable" : failed);
            long freeze = (System.nanoTime() - freezeStart) / 1_000_000;
            progress.accept("switch back aborted, the target is writable again: " + e.getMessage());
            return new Result(Outcome.ABORTED, e.getMessage() + failed, predicted, freeze, tl.steps(), 0, 0);
        }
        // past the switch: the target stays read-only whatever happens next
        tl.begin("switch: shard map, sources writable");
        long version = FreezeSteps.bumpShardMap(catalog, switchJson());
        FreezeSteps.parallel(new ArrayList<>(sources.keySet()), g -> {
            try (Connection c = sources.get(g).getConnection()) {
                Queries.execute(c, primaries.get(g).flavor().unfence());
            }
        });
        long freeze = (System.nanoTime() - freezeStart) / 1_000_000;
        jobs.move(plan.id(), JobState.ROLLED_BACK, "rolled back to " + String.join(", ", sources.keySet()) + " (shard map v" + version + ", writes blocked " + freeze + " ms)");
        tl.end("shard map v" + version);
        return new Result(Outcome.DONE, null, predicted, freeze, tl.steps(), version, verified);
    }

    /** Waits until every source has committed the rollback marker {@code seq}. */
    private boolean delivered(long seq, long deadlineNanos) throws Exception {
        for (String g : sources.keySet()) {
            try (Connection c = sources.get(g).getConnection()) {
                while (Markers.applied(c, plan.id(), targetGroup) < seq) {
                    if (System.nanoTime() > deadlineNanos) return false;
                    Thread.sleep(5);
                }
            }
        }
        return true;
    }

    /**
     * Verifies every target key the reverse stream wrote. Frozen and drained, nothing is in flight;
     * before the freeze ({@code frozen} false) the pass only measures, its differences may be moving.
     */
    private List<TableResult> verify(boolean frozen) throws Exception {
        Verifier.Barrier none = new Verifier.Barrier() {
            @Override
            public boolean await(java.util.Collection<String> groups) {
                return frozen;
            }
        };
        Verifier.Settings vs = frozen ? settings.verify() : new Verifier.Settings(settings.verify().chunkSize(), settings.verify().parallelism(), 1);
        List<TableResult> out = new ArrayList<>();
        Map<String, DataSource> src = Map.copyOf(sources);
        for (TableSpec spec : MergeVerify.specs(plan)) {
            out.add(new Verifier(spec, target, src, none, () -> {}, vs, progress).keys(written(spec.table())));
        }
        return out;
    }

    /** The target keys of one table the reverse stream wrote, from every source's record. */
    private List<List<Object>> written(String table) throws SQLException {
        Set<String> keys = new LinkedHashSet<>();
        for (DataSource s : sources.values()) {
            try (Connection c = s.getConnection()) {
                keys.addAll(TouchedLog.since(c, plan.id(), Timestamp.valueOf("1970-01-02 00:00:00"), table).getOrDefault(table, Set.of()));
            }
        }
        return keys.stream().map(KeyValues::decode).toList();
    }

    private String switchJson() throws Exception {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("job", plan.id());
        doc.put("direction", "rollback");
        doc.put("database", plan.database());
        Topology.Group tg = topology.group(targetGroup);
        doc.put("old", List.of(Map.of("group", targetGroup, "writer", String.valueOf(tg.writerIp()), "primary", primaries.get(targetGroup).instance(),
                "address", topology.instance(primaries.get(targetGroup).instance()).endpoint().toString())));
        List<Map<String, Object>> now = new ArrayList<>();
        for (String g : sources.keySet()) {
            now.add(Map.of("group", g, "writer", String.valueOf(topology.group(g).writerIp()), "primary", primaries.get(g).instance(),
                    "address", topology.instance(primaries.get(g).instance()).endpoint().toString()));
        }
        doc.put("new", now);
        return JSON.writeValueAsString(doc);
    }

    private Result finish(long rowId, Result r) throws Exception {
        catalog.update("UPDATE cutovers SET finished_at = ?, outcome = ?, predicted_freeze_ms = ?, freeze_ms = ?, reason = ?, timeline_json = ? WHERE cutover_id = ?",
                Timestamp.from(Instant.now()), r.outcome().name().toLowerCase(java.util.Locale.ROOT), r.predictedFreezeMillis(), r.freezeMillis(),
                r.reason() == null ? null : r.reason().length() > 2000 ? r.reason().substring(0, 2000) : r.reason(), JSON.writeValueAsString(r.timeline()), rowId);
        return r;
    }

    @Override
    public void close() {
        target.close();
        sources.values().forEach(HikariDataSource::close);
    }
}
