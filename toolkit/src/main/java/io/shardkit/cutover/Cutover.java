package io.shardkit.cutover;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardkit.catalog.Catalog;
import io.shardkit.catalog.GroupLocks;
import io.shardkit.endpoint.EndpointHook;
import io.shardkit.merge.JobState;
import io.shardkit.merge.JobStore;
import io.shardkit.merge.Markers;
import io.shardkit.merge.MetaTables;
import io.shardkit.merge.Plan;
import io.shardkit.mysql.Credential;
import io.shardkit.mysql.Flavor;
import io.shardkit.mysql.Queries;
import io.shardkit.topology.Topology;
import io.shardkit.verify.TableResult;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Cuts a streaming merge over to its target with a short, measured write freeze.
 *
 * <p>Before the freeze (nothing changes yet): the job must be streaming in a live process, the
 * stream's marker round trip under the lag limit, the last verify of every table clean and fresh,
 * and no other operation (a failover) may hold any involved group: the cutover takes their locks.
 * A pre-freeze incremental verify shrinks what the final one must do and measures its cost; the
 * freeze is predicted from these measurements and refused when over budget.
 *
 * <p>The freeze: read_only on every source at once (application writes are refused from here,
 * never lost: a commit either finished before, and is in the binlog before the marker, or fails),
 * application sessions killed or waited for, then one marker per source written by the
 * administrative session that read_only still lets through, then the source fenced completely
 * (super_read_only where the flavor has it) and its final GTID recorded. The stream delivering
 * each marker proves the target has everything each source ever acknowledged. The final verify
 * re-checks every row the stream wrote since the last clean pass; it must be clean. Then the
 * switch: the target's AUTO_INCREMENT above every merged key, the endpoint hook, a new shard-map
 * version, the target writable, the job done. Any failure before the switch unfreezes the sources
 * and puts the job back to streaming; after it the sources stay read-only.
 */
public final class Cutover {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What to do with application sessions still connected to a frozen source. */

    /**
     * @param moveWriterIps at the switch, move every source group's writer IP to the target primary's host
     *                      (checked before the freeze: the target must already listen on each)
     */
    public record Settings(Duration maxFreeze, Duration maxVerifyAge, Duration maxLag, FreezeSteps.Sessions sessions, EndpointHook hook, boolean dryRun,
                           Verifier.Settings verify, boolean moveWriterIps) {
        public Settings(Duration maxFreeze, Duration maxVerifyAge, Duration maxLag, FreezeSteps.Sessions sessions, EndpointHook hook, boolean dryRun,
                        Verifier.Settings verify) {
            this(maxFreeze, maxVerifyAge, maxLag, sessions, hook, dryRun, verify, false);
        }
    }

    public enum Outcome { DONE, ABORTED, REFUSED, DRY_RUN }

    public record Result(Outcome outcome, String reason, long predictedFreezeMillis, long freezeMillis, List<Timeline.Step> timeline,
                         Map<String, String> finalGtids, long shardMapVersion) {}

    /** A refusal before anything changed. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    private final Plan plan;
    private final Topology topology;
    private final Credential admin;
    private final Catalog catalog;
    private final Settings settings;
    private final Consumer<String> progress;
    private final JobStore jobs;
    private final Set<String> ownUsers;
    private Consumer<String> stepHook = s -> {};
    private WriterIpMoves moves;
    /** The groups this cutover locks and its name as their holder (a failover may take them: {@link #step}). */
    private List<String> lockedGroups = List.of();
    private String holder;
    private GroupLocks locks;

    public Cutover(Plan plan, Topology topology, Credential admin, Set<String> ownUsers, Catalog catalog, Settings settings, Consumer<String> progress) {
        this.plan = plan;
        this.topology = topology;
        this.admin = admin;
        this.ownUsers = ownUsers;
        this.catalog = catalog;
        this.settings = settings;
        this.progress = progress;
        this.jobs = new JobStore(catalog);
    }

    /** Fault injection for tests: called with each step's name as it begins (may throw or change the world). */
    public void onStep(Consumer<String> hook) {
        this.stepHook = hook;
    }

    public Result run() throws Exception {
        String id = plan.id();
        Timeline tl = new Timeline();
        List<String> groups = new ArrayList<>(plan.sources().stream().map(Plan.Source::group).toList());
        groups.add(plan.target().group());
        holder = "cutover:" + id + ":" + ProcessHandle.current().pid();
        locks = new GroupLocks(catalog);
        lockedGroups = groups;
        long cutoverId = catalog.insert("INSERT INTO cutovers (job_id, started_at, outcome, direction) VALUES (?, ?, ?, ?)", id, Timestamp.from(Instant.now()), "running", "forward");
        long predicted = -1;
        try {
            JobState state = jobs.state(id);
            if (state != JobState.STREAMING) throw new Refused("merge " + id + " is " + state + ": a cutover needs it streaming");
            if (!jobs.live(id)) throw new Refused("no process is streaming merge " + id + ": run 'merge resume " + id + "' first");
            List<GroupLocks.Held> held = locks.acquire(groups, holder, "cutover");
            if (!held.isEmpty()) {
                GroupLocks.Held h = held.getFirst();
                throw new Refused("group " + h.group() + " is locked by " + h.holder() + " (" + h.purpose() + " since " + h.since() + ")");
            }
            try (MergeVerify mv = new MergeVerify(plan, topology, admin, catalog, settings.verify().parallelism() + 2, progress)) {
                Prediction p = precheck(mv, tl);
                predicted = p.freezeMillis();
                if (settings.dryRun()) {
                    tl.end("dry run: nothing frozen");
                    return finish(cutoverId, new Result(Outcome.DRY_RUN, p.explain(), predicted, 0, tl.steps(), Map.of(), 0));
                }
                jobs.move(id, JobState.CUTTING_OVER, "cutover started");
                return frozen(mv, tl, p, cutoverId);
            }
        } catch (Refused e) {
            tl.end(null);
            return finish(cutoverId, new Result(Outcome.REFUSED, e.getMessage(), predicted, 0, tl.steps(), Map.of(), 0));
        } finally {
            locks.release(groups, holder);
        }
    }

    /** What the freeze is expected to cost, from this moment's measurements. */
    record Prediction(long markerRoundTripMillis, long pendingKeys, double millisPerKey, long statementMillis) {
        long freezeMillis() {
            return markerRoundTripMillis + Math.round(pendingKeys * millisPerKey) + statementMillis;
        }

        String explain() {
            return String.format("predicted freeze %d ms = stream round trip %d ms + final verify of ~%d rows at %.2f ms/row + freeze and switch statements %d ms",
                    freezeMillis(), markerRoundTripMillis, pendingKeys, millisPerKey, statementMillis);
        }
    }

    private Prediction precheck(MergeVerify mv, Timeline tl) throws Exception {
        tl.begin("precheck: last verify");
        stepHook.accept("precheck");
        Map<String, VerifyStore.Run> latest = new VerifyStore(catalog).latest(plan.id());
        for (Plan.TablePlan t : plan.tables()) {
            VerifyStore.Run r = latest.get(t.table());
            if (r == null) throw new Refused("table " + t.table() + " has never been verified: run 'merge verify " + plan.id() + "'");
            if (!r.clean()) throw new Refused("the last verify of " + t.table() + " was not clean: run 'merge verify " + plan.id() + "' (and --repair)");
            if (r.finishedAt().isBefore(Instant.now().minus(settings.maxVerifyAge()))) {
                throw new Refused("the last clean verify of " + t.table() + " is older than " + settings.maxVerifyAge().toMinutes() + " min: run 'merge verify " + plan.id() + "'");
            }
        }
        tl.end("every table clean within " + settings.maxVerifyAge().toMinutes() + " min");

        tl.begin("precheck: stream lag");
        // the best of three round trips: one sample can land behind a large batch
        long roundTrip = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            if (!mv.barrier(plan.sources().stream().map(Plan.Source::group).toList())) throw new Refused("the stream did not deliver a marker within 30 s");
            roundTrip = Math.min(roundTrip, (System.nanoTime() - t0) / 1_000_000);
        }
        if (roundTrip > settings.maxLag().toMillis()) throw new Refused("stream lag " + roundTrip + " ms is over the limit of " + settings.maxLag().toMillis() + " ms");
        tl.end("marker round trip " + roundTrip + " ms");

        if (settings.moveWriterIps()) {
            tl.begin("precheck: writer IPs");
            List<String> sources = plan.sources().stream().map(Plan.Source::group).toList();
            Map<String, String> primaries = new LinkedHashMap<>();
            for (String g : sources) primaries.put(g, mv.primary(g).instance());
            primaries.put(plan.target().group(), mv.primary(plan.target().group()).instance());
            try {
                moves = WriterIpMoves.toTarget(topology, sources, primaries, plan.target().group());
            } catch (WriterIpMoves.NotPossible e) {
                throw new Refused(e.getMessage());
            }
            tl.end(sources.size() + " writer IP(s) to move to " + moves.destination() + ", where " + primaries.get(plan.target().group()) + " listens on each");
        }

        tl.begin("precheck: application users");
        for (Plan.Source s : plan.sources()) {
            String who = privilegedWriters(mv, s.group());
            if (!who.isEmpty()) throw new Refused("source " + s.group() + " has sessions of " + who + ", which can write through read_only: a freeze could not stop them");
        }
        tl.end("no connected application user can write through read_only");

        // like gh-ost's cut-over readiness: each incremental pass re-checks only what the stream wrote during the
        // previous one, so the window the frozen verify must cover shrinks pass after pass
        Prediction p = null;
        for (int pass = 1; pass <= 5; pass++) {
            tl.begin("precheck: incremental verify, pass " + pass);
            MergeVerify.Report pre = mv.run(List.of(), false, settings.verify());
            if (!pre.clean()) throw new Refused("the pre-freeze verify found differences: " + summary(pre));
            long keys = pre.tables().stream().mapToLong(TableResult::rows).sum();
            long millis = pre.tables().stream().mapToLong(TableResult::millis).sum();
            double perKey = keys >= 100 ? (double) millis / keys : 0.05;
            tl.end(keys + " rows re-checked in " + millis + " ms");
            tl.begin("precheck: prediction");
            long rtt = statementRoundTrip(mv);
            // rows the stream will have written by the freeze: those since this pass began, plus a quarter for the
            // moments between this count and the freeze
            long pending = Math.round(1.25 * touchedSince(mv, latestStart()));
            p = new Prediction(roundTrip, pending, perKey, rtt * 6 + 20);
            tl.end(p.explain());
            if (p.freezeMillis() <= settings.maxFreeze().toMillis()) break;
            if (p.markerRoundTripMillis() + p.statementMillis() > settings.maxFreeze().toMillis()) break; // more passes cannot help
        }
        progress.accept(p.explain() + "; budget " + settings.maxFreeze().toMillis() + " ms");
        if (p.freezeMillis() > settings.maxFreeze().toMillis()) throw new Refused(p.explain() + " exceeds --max-freeze " + settings.maxFreeze().toMillis() + " ms");
        return p;
    }

    private Result frozen(MergeVerify mv, Timeline tl, Prediction p, long cutoverId) throws Exception {
        List<String> sources = plan.sources().stream().map(Plan.Source::group).toList();
        long freezeStart = System.nanoTime();
        Map<String, String> finalGtids = new LinkedHashMap<>();
        long deadline = freezeStart + Math.max(settings.maxFreeze().toNanos() * 3, Duration.ofSeconds(5).toNanos());
        try {
            tl.begin("freeze: read_only on " + sources.size() + " sources");
            step("freeze");
            FreezeSteps.parallel(sources, g -> {
                try (Connection c = mv.sources().get(g).getConnection()) {
                    Queries.execute(c, flavor(mv, g).freezeWrites());
                }
            });
            tl.begin("freeze: application sessions (" + settings.sessions().name().toLowerCase(java.util.Locale.ROOT) + ")");
            step("sessions");
            FreezeSteps.parallel(sources, g -> FreezeSteps.endSessions(mv.sources().get(g), ownUsers, settings.sessions(), deadline));
            tl.begin("freeze: final markers, fence, final GTIDs");
            step("markers");
            Map<String, Long> seqs = new java.util.concurrent.ConcurrentHashMap<>();
            Map<String, String> gtids = new java.util.concurrent.ConcurrentHashMap<>();
            FreezeSteps.parallel(sources, g -> {
                try (Connection c = mv.sources().get(g).getConnection()) {
                    seqs.put(g, Markers.write(c, plan.id(), g));
                    Queries.execute(c, flavor(mv, g).fence());
                    gtids.put(g, Queries.string(c, flavor(mv, g).gtidExecutedQuery()));
                }
            });
            for (String g : sources) finalGtids.put(g, gtids.get(g));
            tl.begin("drain: stream delivers every final marker");
            step("drain");
            try (Connection t = mv.target().getConnection()) {
                for (String g : sources) {
                    for (int spin = 1; Markers.applied(t, plan.id(), g) < seqs.get(g); spin++) {
                        if (System.nanoTime() > deadline) throw new IllegalStateException("the stream of " + g + " did not deliver its final marker in time");
                        if (spin % 40 == 0 && !locks.lost(lockedGroups, holder).isEmpty()) throw new Preempted(locks.lost(lockedGroups, holder));
                        Thread.sleep(5);
                    }
                }
            }
            mv.assumeDrained();
            tl.begin("final verify: rows written since the last clean pass");
            step("final-verify");
            MergeVerify.Report fin = mv.run(List.of(), false, settings.verify());
            if (!fin.clean() || fin.tables().stream().anyMatch(t -> t.inFlight() > 0)) throw new IllegalStateException("the final verify found differences: " + summary(fin));
            tl.end(fin.tables().stream().mapToLong(TableResult::rows).sum() + " rows clean (" + fin.tables().stream().mapToLong(TableResult::chunks).sum() + " batches)");
            if (System.nanoTime() > deadline) throw new IllegalStateException("the freeze ran past its hard limit");

            tl.begin("switch: target position, AUTO_INCREMENT");
            stepHook.accept("switch");
            // the point of no return against a failover: from here on none may take these groups from us
            if (!locks.mark(lockedGroups, holder, GroupLocks.SWITCHING)) throw new Preempted(locks.lost(lockedGroups, holder));
            raiseAutoIncrement(mv);
            try (Connection c = mv.target().getConnection()) {
                recordTargetPosition(c, flavor(mv, plan.target().group()), cutoverId);
            }
            if (moves != null) {
                tl.begin("switch: writer IPs to " + moves.destination());
                tl.end(moves.apply());
            }
            if (settings.hook() != null) {
                tl.begin("switch: endpoint hook");
                tl.end(settings.hook().run(switchJson(mv, finalGtids)).strip());
            }
        } catch (Exception e) {
            if (moves != null && moves.applied()) {
                tl.begin("abort: writer IPs back");
                tl.end(moves.undo());
            }
            tl.begin("abort: unfreeze sources");
            // a group a failover took is the failover's: its old primary stays as the failover left it
            List<String> taken = locks.lost(lockedGroups, holder);
            String unfreeze = unfreeze(mv, sources.stream().filter(g -> !taken.contains(g)).toList());
            if (!taken.isEmpty()) unfreeze = (unfreeze.isEmpty() ? "" : unfreeze + "; ") + "left to the failover: " + String.join(", ", taken);
            tl.end(unfreeze);
            jobs.move(plan.id(), JobState.STREAMING, "cutover aborted: " + e.getMessage());
            long freeze = (System.nanoTime() - freezeStart) / 1_000_000;
            progress.accept("cutover aborted, sources writable again: " + e.getMessage());
            return finish(cutoverId, new Result(Outcome.ABORTED, e.getMessage() + (unfreeze.isEmpty() ? "" : "; " + unfreeze), p.freezeMillis(), freeze, tl.steps(), finalGtids, 0));
        }
        // past the switch: the sources stay read-only whatever happens next
        tl.begin("switch: shard map, target writable");
        long version = FreezeSteps.bumpShardMap(catalog, switchJson(mv, finalGtids));
        try (Connection c = mv.target().getConnection()) {
            Queries.execute(c, flavor(mv, plan.target().group()).unfence());
        }
        long freeze = (System.nanoTime() - freezeStart) / 1_000_000;
        jobs.move(plan.id(), JobState.DONE, "cut over to " + plan.target().group() + " (shard map v" + version + ", writes blocked " + freeze + " ms)");
        tl.end("shard map v" + version);
        return finish(cutoverId, new Result(Outcome.DONE, null, p.freezeMillis(), freeze, tl.steps(), finalGtids, version));
    }

    /** Begins a freeze step: the test hook, then whether a failover took any of our groups (then we abort). */
    private void step(String name) {
        stepHook.accept(name);
        if (name.equals("freeze")) {
            if (!locks.mark(lockedGroups, holder, GroupLocks.FROZEN)) throw new Preempted(locks.lost(lockedGroups, holder));
            return;
        }
        List<String> lost = locks.lost(lockedGroups, holder);
        if (!lost.isEmpty()) throw new Preempted(lost);
    }

    /** A failover took the lock of these groups: the cutover aborts. */
    static final class Preempted extends IllegalStateException {
        Preempted(List<String> groups) {
            super("a failover took group " + String.join(", ", groups) + " from this cutover");
        }
    }

    private Flavor flavor(MergeVerify mv, String group) {
        return mv.primary(group).flavor();
    }

    /** Connected users other than shardkit's own whose privileges pass read_only (SUPER, READ_ONLY ADMIN, CONNECTION_ADMIN). */
    private String privilegedWriters(MergeVerify mv, String group) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = mv.sources().get(group).getConnection(); var st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT DISTINCT p.USER FROM information_schema.PROCESSLIST p JOIN information_schema.USER_PRIVILEGES u"
                        + " ON u.GRANTEE LIKE CONCAT('''', p.USER, '''@%') WHERE u.PRIVILEGE_TYPE IN ('SUPER', 'READ_ONLY ADMIN', 'CONNECTION_ADMIN') AND p."
                        + FreezeSteps.othersWhere(ownUsers).replace(" AND ID <>", " AND p.ID <>").replace(" AND COMMAND", " AND p.COMMAND"))) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return String.join(", ", out);
    }

    /** Opens every source again; returns what could not be opened (empty when all are writable). */
    private String unfreeze(MergeVerify mv, List<String> sources) {
        List<String> failed = new ArrayList<>();
        for (String g : sources) {
            try (Connection c = mv.sources().get(g).getConnection()) {
                Queries.execute(c, flavor(mv, g).unfence());
            } catch (Exception e) {
                failed.add(g + " (" + e.getMessage() + ")");
            }
        }
        return failed.isEmpty() ? "" : "could not make writable again: " + String.join(", ", failed);
    }

    private void raiseAutoIncrement(MergeVerify mv) throws SQLException {
        try (Connection c = mv.target().getConnection()) {
            for (Plan.TablePlan t : plan.tables()) {
                if (t.targetAutoIncrementAtLeast() == null) continue;
                // InnoDB never lowers AUTO_INCREMENT below the largest key, so this only ever raises it
                Queries.execute(c, "ALTER TABLE " + io.shardkit.mysql.SqlText.identifier(plan.database()) + "." + io.shardkit.mysql.SqlText.identifier(t.table())
                        + " AUTO_INCREMENT = " + t.targetAutoIncrementAtLeast());
            }
        }
    }

    private String switchJson(MergeVerify mv, Map<String, String> finalGtids) throws Exception {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("job", plan.id());
        doc.put("database", plan.database());
        List<Map<String, Object>> old = new ArrayList<>();
        for (Plan.Source s : plan.sources()) {
            Topology.Group g = topology.group(s.group());
            old.add(Map.of("group", s.group(), "writer", String.valueOf(g.writerIp()), "primary", mv.primary(s.group()).instance(),
                    "address", topology.instance(mv.primary(s.group()).instance()).endpoint().toString(), "final_gtid", finalGtids.getOrDefault(s.group(), "")));
        }
        doc.put("old", old);
        Topology.Group tg = topology.group(plan.target().group());
        doc.put("new", Map.of("group", tg.name(), "writer", String.valueOf(tg.writerIp()), "primary", mv.primary(tg.name()).instance(),
                "address", topology.instance(mv.primary(tg.name()).instance()).endpoint().toString()));
        return JSON.writeValueAsString(doc);
    }

    /**
     * Where the target's binlog stands at the switch, read before the routing hook sends the
     * application there and after the streams drained: everything after it is the application's,
     * which is what a rollback streams back.
     */
    private void recordTargetPosition(Connection target, Flavor f, long cutoverId) throws SQLException {
        String gtid = Queries.string(target, f.gtidExecutedQuery());
        try (var st = target.createStatement(); ResultSet rs = st.executeQuery(f.binlogStatusQuery())) {
            if (!rs.next()) throw new SQLException("the target has no binary log: a rollback could not stream from it");
            catalog.update("UPDATE cutovers SET target_binlog_file = ?, target_binlog_pos = ?, target_gtid = ? WHERE cutover_id = ?",
                    rs.getString(1), rs.getLong(2), gtid, cutoverId);
        }
    }

    private Timestamp latestStart() {
        return new VerifyStore(catalog).latest(plan.id()).values().stream().map(VerifyStore.Run::targetClockStart)
                .filter(java.util.Objects::nonNull).min(java.util.Comparator.naturalOrder()).orElse(null);
    }

    private long touchedSince(MergeVerify mv, Timestamp since) throws SQLException {
        if (since == null) return 0;
        try (Connection c = mv.target().getConnection()) {
            return io.shardkit.merge.TouchedLog.since(c, plan.id(), since, null).values().stream().mapToLong(java.util.Set::size).sum();
        }
    }

    /** One statement round trip to the slowest source, in ms. */
    private long statementRoundTrip(MergeVerify mv) throws SQLException {
        long worst = 0;
        for (String g : plan.sources().stream().map(Plan.Source::group).toList()) {
            try (Connection c = mv.sources().get(g).getConnection()) {
                long t0 = System.nanoTime();
                Queries.string(c, "SELECT 1");
                worst = Math.max(worst, (System.nanoTime() - t0) / 1_000_000);
            }
        }
        return Math.max(1, worst);
    }

    private static String summary(MergeVerify.Report r) {
        return String.join("; ", r.tables().stream().filter(t -> !t.clean() || !t.settled())
                .map(t -> t.table() + ": " + t.diffs().size() + " rows differ" + (t.settled() ? "" : " (unsettled)")).toList());
    }

    private Result finish(long cutoverId, Result r) throws Exception {
        catalog.update("UPDATE cutovers SET finished_at = ?, outcome = ?, predicted_freeze_ms = ?, freeze_ms = ?, reason = ?, timeline_json = ? WHERE cutover_id = ?",
                Timestamp.from(Instant.now()), r.outcome().name().toLowerCase(java.util.Locale.ROOT), r.predictedFreezeMillis(), r.freezeMillis(),
                r.reason() == null ? null : r.reason().length() > 2000 ? r.reason().substring(0, 2000) : r.reason(), JSON.writeValueAsString(r.timeline()), cutoverId);
        return r;
    }
}
