package io.shardkit.it.cutover;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.catalog.Catalog;
import io.shardkit.cutover.Cutover;
import io.shardkit.cutover.MergeVerify;
import io.shardkit.it.fixture.AckCheck;
import io.shardkit.it.fixture.AckWriter;
import io.shardkit.it.fixture.Fleet;
import io.shardkit.it.fixture.MergeRuns;
import io.shardkit.it.fixture.RowCompare;
import io.shardkit.merge.JobState;
import io.shardkit.merge.JobStore;
import io.shardkit.merge.KeyStrategy;
import io.shardkit.merge.MergeControl;
import io.shardkit.merge.MergeJob;
import io.shardkit.merge.MergeRequest;
import io.shardkit.merge.Plan;
import io.shardkit.merge.PlanJson;
import io.shardkit.merge.Planner;
import io.shardkit.mysql.KeyValues;
import io.shardkit.mysql.Queries;
import io.shardkit.sandbox.Users;
import io.shardkit.shell.Main;
import io.shardkit.topology.Topology;
import io.shardkit.verify.Verifier;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * merge cutover of four sources (g1..g4 into g5) under a write load from application clients
 * that record every acknowledged write, routed by the cutover's endpoint hook: before the switch
 * they write to their source, after it to the target. Every acknowledged write must be on the
 * target exactly once, every write refused during the freeze nowhere, and the recorded freeze must
 * match the gap the clients saw. Injected failures at each step must abort cleanly.
 */
abstract class CutoverScenarios {
    static final List<String> SOURCES = List.of("g1", "g2", "g3", "g4");
    static final String TARGET = "g5";

    static String primary(Fleet f, String g) {
        return f.discover().group(g).primary().orElseThrow();
    }

    static int cli(Fleet f, StringWriter out, String... args) {
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--home", f.home().toString())).toArray(String[]::new);
        return Main.run(new PrintWriter(out, true), new PrintWriter(out, true), all);
    }

    /** A running merge with its clients, torn down by the test. */
    final class Merge implements AutoCloseable {
        final Fleet f;
        final String db;
        final Plan plan;
        final Catalog catalog;
        final JobStore jobs;
        final MergeControl control = new MergeControl();
        final MergeJob job;
        final CompletableFuture<Void> running;
        final Path routeFile;
        /** Written by the rollback's hook: the clients go back to their sources. */
        final Path backFile;
        volatile long switchedAt;
        final List<AckWriter> writers = new ArrayList<>();
        final List<CompletableFuture<Void>> writing = new ArrayList<>();
        final java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newCachedThreadPool();

        Merge(Fleet f, String db) throws Exception {
            this.f = f;
            this.db = db;
            for (String g : SOURCES) {
                try (Connection c = f.connect(primary(f, g))) {
                    Queries.execute(c, "CREATE DATABASE " + db);
                    Queries.execute(c, "CREATE TABLE " + db + ".items (id BIGINT AUTO_INCREMENT PRIMARY KEY, sku VARCHAR(64) NOT NULL, qty INT NOT NULL, updated DATETIME(6) NOT NULL)");
                    Queries.execute(c, "INSERT INTO " + db + ".items (sku, qty, updated) VALUES ('seed-1', 1, NOW(6)), ('seed-2', 2, NOW(6)), ('seed-3', 3, NOW(6))");
                }
            }
            Topology t = f.topology();
            plan = new Planner(t, f.admin(), t.credentials().stream().resolve(), Clock.systemUTC())
                    .plan(new MergeRequest(db, SOURCES, TARGET, db, List.of(), KeyStrategy.SHARD_COLUMN, List.of(), "_shard"));
            catalog = Catalog.embedded(f.home());
            catalog.savePlan(plan.id(), "it", String.join(",", SOURCES), TARGET, PlanJson.write(plan));
            jobs = new JobStore(catalog);
            job = new MergeJob(plan, t, f.admin(), t.credentials().stream().resolve(), jobs, f.home(), control, System.out::println);
            running = MergeRuns.background(job, MergeJob.Until.STOPPED);
            Fleet.await("copy finished", Duration.ofSeconds(120), () -> jobs.state(plan.id()) == JobState.STREAMING || running.isDone());
            assertThat(jobs.state(plan.id())).isEqualTo(JobState.STREAMING);
            routeFile = f.home().resolve(db + "-route.json");
            backFile = f.home().resolve(db + "-back.json");
            for (String g : SOURCES) {
                String targetSql = "INSERT INTO " + db + ".items (sku, qty, updated, _shard) VALUES (?, 1, NOW(6), '" + g + "')";
                String sourceSql = "INSERT INTO " + db + ".items (sku, qty, updated) VALUES (?, 1, NOW(6))";
                AckWriter.Route before = new AckWriter.Route("source", t.instance(primary(f, g)).endpoint(), sourceSql);
                AckWriter.Route after = new AckWriter.Route("target", t.instance(primary(f, TARGET)).endpoint(), targetSql);
                AckWriter.Route back = new AckWriter.Route("back", t.instance(primary(f, g)).endpoint(), sourceSql);
                // 2 ms between writes per client: a busy application that still leaves the two cores some headroom
                AckWriter w = new AckWriter("ack-" + g, f.app(), () -> {
                    if (Files.exists(backFile)) return back;
                    if (!Files.exists(routeFile)) return before;
                    if (switchedAt == 0) switchedAt = System.nanoTime();
                    return after;
                }, 2_000_000);
                writers.add(w);
                writing.add(CompletableFuture.runAsync(w, clients)); // not the common pool: it has one thread on two cores, and the merge holds it
            }
        }

        void awaitClients() {
            try {
                Fleet.await("clients writing", Duration.ofSeconds(10), () -> writers.stream().allMatch(w -> w.acknowledged.size() > 20));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; clients saw " + writers.stream().flatMap(w -> w.errors.stream()).distinct().toList()
                        + ", failures " + writers.stream().map(AckWriter::failure).filter(java.util.Objects::nonNull).map(Throwable::toString).toList());
            }
        }

        /** The routing hook the cutover runs: it publishes the new route (the clients read it). */
        String hook() throws Exception {
            return hook(routeFile);
        }

        String hook(Path file) throws Exception {
            Path script = f.home().resolve(file.getFileName() + ".sh");
            Files.writeString(script, "#!/bin/sh\ncat > '" + file + "'\necho routed\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
            return script.toString();
        }

        void verifyClean() throws Exception {
            try (MergeVerify v = new MergeVerify(plan, f.topology(), f.admin(), catalog, 4, System.out::println)) {
                assertThat(v.run(List.of(), true, new Verifier.Settings(1000, 3, 3)).clean()).isTrue();
            }
        }

        Cutover cutover(Duration maxFreeze, String hookCommand, Consumer<String> step) throws Exception {
            Cutover c = new Cutover(plan, f.topology(), f.admin(), Set.of(Users.ADMIN, Users.REPLICATION, Users.STREAM), catalog,
                    new Cutover.Settings(maxFreeze, Duration.ofMinutes(10), Duration.ofSeconds(2), io.shardkit.cutover.FreezeSteps.Sessions.KILL,
                            hookCommand == null ? null : new io.shardkit.endpoint.EndpointHook(List.of(hookCommand), Duration.ofSeconds(5)), false, Verifier.Settings.DEFAULT),
                    System.out::println);
            c.onStep(step);
            return c;
        }

        void assertSourcesWritable(boolean writable) throws Exception {
            for (String g : SOURCES) {
                try (Connection c = f.connect(primary(f, g))) {
                    assertThat(Queries.string(c, "SELECT @@GLOBAL.read_only")).as("read_only on %s", g).isEqualTo(writable ? "0" : "1");
                }
            }
        }

        /** Stops the clients and checks every acknowledged write against the target (after a cutover) or the sources. */
        void stopAndCheck(boolean cutOver) throws Exception {
            writers.forEach(AckWriter::stop);
            CompletableFuture.allOf(writing.toArray(CompletableFuture[]::new)).get();
            for (AckWriter w : writers) assertThat(w.failure()).isNull();
            List<String> tags = new ArrayList<>();
            List<String> from = cutOver ? List.of(TARGET) : SOURCES;
            for (String g : from) {
                try (Connection c = f.connect(primary(f, g)); var st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT sku FROM " + db + ".items WHERE sku LIKE 'ack-%'")) {
                    while (rs.next()) tags.add(rs.getString(1));
                }
            }
            List<String> violations = AckCheck.violations(writers, AckCheck.count(tags));
            assertThat(violations).as("acknowledged-write check over %d rows", tags.size()).isEmpty();
            long acked = writers.stream().mapToLong(w -> w.acknowledged.size()).sum();
            long refused = writers.stream().mapToLong(w -> w.refused.size()).sum();
            System.out.printf("clients: %d writes acknowledged, %d refused, %d unknown; errors seen %s%n", acked, refused,
                    writers.stream().mapToLong(w -> w.unknown.size()).sum(), writers.stream().flatMap(w -> w.errors.stream()).distinct().toList());
        }

        @Override
        public void close() throws Exception {
            writers.forEach(AckWriter::stop);
            control.requestStop();
            try {
                running.get();
            } catch (Exception ignored) {
                // the test already failed or finished
            }
            job.close();
            catalog.close();
            clients.shutdownNow();
            // a cutover leaves its sources read-only by design (a rollback its target); the next test of this class merges them again
            for (String g : java.util.stream.Stream.concat(SOURCES.stream(), java.util.stream.Stream.of(TARGET)).toList()) {
                String p = primary(f, g);
                try (Connection c = f.connect(p)) {
                    Queries.execute(c, f.discover().state(p).flavor().unfence());
                }
            }
        }
    }

    @Test
    void fourSourcesCutOverUnderWriteLoadWithoutLosingAnAcknowledgedWrite(Fleet f) throws Exception {
        try (Merge m = new Merge(f, "cx_load")) {
            m.awaitClients();
            m.verifyClean();
            StringWriter out = new StringWriter();
            int code = cli(f, out, "merge", "cutover", m.plan.id(), "--max-freeze", "3s", "--hook", m.hook());
            System.out.println(out);
            assertThat(code).as(out.toString()).isZero();
            assertThat(out.toString()).contains("cutover " + m.plan.id() + ": done").contains("freeze: read_only on 4 sources").contains("final verify");
            Fleet.await("clients writing to the target", Duration.ofSeconds(10), () -> m.writers.stream().allMatch(w -> w.acknowledged.stream().filter(a -> a.route().equals("target")).count() > 20));
            m.stopAndCheck(true);
            assertThat(m.jobs.state(m.plan.id())).isEqualTo(JobState.DONE);
            m.assertSourcesWritable(false);
            long freeze = m.catalog.query("SELECT freeze_ms FROM cutovers WHERE job_id = ? AND outcome = 'done'", rs -> { rs.next(); return rs.getLong(1); }, m.plan.id());
            assertThat(out.toString()).contains("writes were blocked for " + freeze + " ms");
            out = new StringWriter();
            assertThat(cli(f, out, "merge", "status", m.plan.id())).isZero();
            assertThat(out.toString()).contains("merge " + m.plan.id() + ": DONE").contains("cutover: done, writes blocked " + freeze + " ms");
            for (AckWriter w : m.writers) {
                long gapMs = w.gapAround(m.switchedAt) / 1_000_000;
                System.out.printf("a client saw a write gap of %d ms; recorded freeze %d ms%n", gapMs, freeze);
                assertThat(gapMs).as("client gap vs recorded freeze %d ms", freeze).isBetween(freeze / 3, freeze + 500);
            }
            // independent: every source row (sources are frozen now) is on the target with its shard
            TreeMap<String, List<String>> expected = new TreeMap<>();
            for (String g : SOURCES) {
                expected.putAll(RowCompare.rows(f.topology().instance(primary(f, g)).endpoint(), f.admin(),
                        "SELECT id, '" + g + "' AS _shard, sku, qty, updated FROM " + m.db + ".items", 2));
            }
            // the rows the clients wrote on the target after the switch carry "-target-" in their tag
            TreeMap<String, List<String>> actual = RowCompare.rows(f.topology().instance(primary(f, TARGET)).endpoint(), f.admin(),
                    "SELECT id, _shard, sku, qty, updated FROM " + m.db + ".items WHERE sku NOT LIKE '%-target-%'", 2);
            assertThat(RowCompare.diff(expected, actual)).isEmpty();
        }
    }

    @Test
    void injectedFailuresAtEachStepAbortCleanly(Fleet f) throws Exception {
        try (Merge m = new Merge(f, "cx_fail")) {
            m.awaitClients();
            StringWriter out = new StringWriter();
            // refused before anything changes: never verified, then a budget no freeze can meet
            assertThat(cli(f, out, "merge", "cutover", m.plan.id())).as(out.toString()).isEqualTo(4);
            assertThat(out.toString()).contains("has never been verified");
            m.verifyClean();
            out = new StringWriter();
            assertThat(cli(f, out, "merge", "cutover", m.plan.id(), "--max-freeze", "1ms")).as(out.toString()).isEqualTo(4);
            assertThat(out.toString()).contains("exceeds --max-freeze 1 ms").contains("refused, nothing changed");
            m.assertSourcesWritable(true);

            // the endpoint hook fails
            Cutover.Result r = m.cutover(Duration.ofSeconds(10), "/bin/false", s -> {}).run();
            assertAborted(m, r, "endpoint hook /bin/false exited 1");

            // the stream stalls during the freeze
            java.util.concurrent.atomic.AtomicBoolean stall = new java.util.concurrent.atomic.AtomicBoolean();
            m.control.onStage(stage -> {
                while (stall.get() && stage.equals("stream.before-commit")) java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
            });
            r = m.cutover(Duration.ofSeconds(2), null, s -> {
                if (s.equals("drain")) stall.set(true);
            }).run();
            stall.set(false);
            assertAborted(m, r, "did not deliver its final marker in time");

            // the final verify finds a row the stream wrote that differs on the target
            r = m.cutover(Duration.ofSeconds(10), null, s -> {
                if (s.equals("final-verify")) tamperLastTouchedRow(m);
            }).run();
            assertAborted(m, r, "the final verify found differences");
            out = new StringWriter();
            assertThat(cli(f, out, "merge", "verify", m.plan.id(), "--full", "--repair")).as(out.toString()).isZero();

            // after all that, a cutover goes through and nothing acknowledged was lost
            m.verifyClean();
            out = new StringWriter();
            // a generous budget: this case is about losing nothing after the aborts, not about the freeze
            assertThat(cli(f, out, "merge", "cutover", m.plan.id(), "--max-freeze", "10s", "--hook", m.hook())).as(out.toString()).isZero();
            Fleet.await("clients writing to the target", Duration.ofSeconds(10), () -> m.writers.stream().allMatch(w -> w.acknowledged.stream().anyMatch(a -> a.route().equals("target"))));
            m.stopAndCheck(true);
        }
    }

    /**
     * After a cutover the application writes to the target (inserts, updates and deletes of merged
     * rows); merge rollback streams those writes back, each to the source that owns its shard, and
     * the switch back loses nothing: every acknowledged write of every phase (sources, target, sources
     * again) ends up exactly once on the source it belongs to, and the frozen target equals the union
     * of the sources.
     */
    @Test
    void rollbackBringsTheTargetsWritesBackToTheirSourcesAndTheSwitchBackLosesNothing(Fleet f) throws Exception {
        try (Merge m = new Merge(f, "cx_back")) {
            m.awaitClients();
            m.verifyClean();
            StringWriter out = new StringWriter();
            assertThat(cli(f, out, "merge", "cutover", m.plan.id(), "--max-freeze", "3s", "--hook", m.hook())).as(out.toString()).isZero();
            Fleet.await("clients writing to the target", Duration.ofSeconds(10), () -> m.writers.stream().allMatch(w -> w.acknowledged.stream().filter(a -> a.route().equals("target")).count() > 20));
            // the application also changes and deletes merged rows on the target
            try (Connection c = f.connect(primary(f, TARGET))) {
                assertThat(c.createStatement().executeUpdate("UPDATE " + m.db + ".items SET qty = qty + 100 WHERE sku LIKE 'seed-%' AND _shard = 'g2'")).isEqualTo(3);
                assertThat(c.createStatement().executeUpdate("DELETE FROM " + m.db + ".items WHERE sku = 'seed-3' AND _shard = 'g3'")).isEqualTo(1);
            }

            // the reverse stream runs in its own "process" (a CLI call on a thread) until the switch back ends it
            StringWriter streamOut = new StringWriter();
            CompletableFuture<Integer> stream = CompletableFuture.supplyAsync(() -> cli(f, streamOut, "merge", "rollback", m.plan.id()), m.clients);
            Fleet.await("rollback stream live", Duration.ofSeconds(60), () -> stream.isDone() || m.jobs.state(m.plan.id()) == JobState.ROLLING_BACK && m.jobs.live(m.plan.id())
                    && streamOut.toString().contains("rollback stream caught up"));
            assertThat(stream.isDone()).as(streamOut.toString()).isFalse();
            // the target took writes while the stream ran; the switch back must bring them too
            int onTarget = m.writers.stream().mapToInt(w -> w.acknowledged.size()).sum();
            Fleet.await("more writes on the target", Duration.ofSeconds(10), () -> m.writers.stream().mapToInt(w -> w.acknowledged.size()).sum() > onTarget + 50);

            out = new StringWriter();
            int code = cli(f, out, "merge", "rollback", m.plan.id(), "--switch", "--max-freeze", "3s", "--hook", m.hook(m.backFile));
            System.out.println(out);
            assertThat(code).as(out.toString()).isZero();
            assertThat(out.toString()).contains("rollback " + m.plan.id() + ": switched back");
            assertThat(stream.get(60, java.util.concurrent.TimeUnit.SECONDS)).as(streamOut.toString()).isZero();
            assertThat(m.jobs.state(m.plan.id())).isEqualTo(JobState.ROLLED_BACK);
            StringWriter status = new StringWriter();
            assertThat(cli(f, status, "merge", "status", m.plan.id())).isZero();
            assertThat(status.toString()).contains("merge " + m.plan.id() + ": ROLLED_BACK").contains("cutover: done").contains("switch back: done, writes blocked");
            Fleet.await("clients writing to their sources again", Duration.ofSeconds(10),
                    () -> m.writers.stream().allMatch(w -> w.acknowledged.stream().filter(a -> a.route().equals("back")).count() > 20));
            m.assertSourcesWritable(true);
            try (Connection c = f.connect(primary(f, TARGET))) {
                assertThat(Queries.string(c, "SELECT @@GLOBAL.read_only")).as("the target after the switch back").isEqualTo("1");
            }
            m.writers.forEach(AckWriter::stop);
            CompletableFuture.allOf(m.writing.toArray(CompletableFuture[]::new)).get();

            // every acknowledged write, of every phase, exactly once, and on the source of its client
            List<String> tags = new ArrayList<>();
            for (String g : SOURCES) {
                try (Connection c = f.connect(primary(f, g)); var st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT sku FROM " + m.db + ".items WHERE sku LIKE 'ack-%'")) {
                    while (rs.next()) {
                        String sku = rs.getString(1);
                        assertThat(sku).as("a row on source %s", g).startsWith("ack-" + g + "-");
                        tags.add(sku);
                    }
                }
            }
            assertThat(AckCheck.violations(m.writers, AckCheck.count(tags))).as("acknowledged-write check over %d rows", tags.size()).isEmpty();
            long viaTarget = m.writers.stream().flatMap(w -> w.acknowledged.stream()).filter(a -> a.route().equals("target")).count();
            System.out.printf("clients: %d writes acknowledged by the target came back to their sources%n", viaTarget);

            // independent: the frozen target equals the union of the sources, apart from the rows written after the switch back
            TreeMap<String, List<String>> expected = new TreeMap<>();
            for (String g : SOURCES) {
                expected.putAll(RowCompare.rows(f.topology().instance(primary(f, g)).endpoint(), f.admin(),
                        "SELECT id, '" + g + "' AS _shard, sku, qty, updated FROM " + m.db + ".items WHERE sku NOT LIKE '%-back-%'", 2));
            }
            TreeMap<String, List<String>> actual = RowCompare.rows(f.topology().instance(primary(f, TARGET)).endpoint(), f.admin(),
                    "SELECT id, _shard, sku, qty, updated FROM " + m.db + ".items", 2);
            assertThat(RowCompare.diff(expected, actual)).isEmpty();
            try (Connection c = f.connect(primary(f, "g2"))) {
                assertThat(Queries.string(c, "SELECT SUM(qty) FROM " + m.db + ".items WHERE sku LIKE 'seed-%'")).isEqualTo("306");
            }
            try (Connection c = f.connect(primary(f, "g3"))) {
                assertThat(Queries.string(c, "SELECT COUNT(*) FROM " + m.db + ".items WHERE sku = 'seed-3'")).isEqualTo("0");
            }
        }
    }

    /**
     * Reject strategy: keys are unique across sources, so a merged row goes back to the source that
     * held it, and a row created on the target belongs to no source until the operator names one.
     * Also the refusals: a rollback of a merge that was not cut over, a switch back with no stream.
     */
    @Test
    void rollbackUnderRejectFindsEachRowsOwnerAndAsksWhereNewRowsGo(Fleet f) throws Exception {
        String db = "cx_reject";
        for (int i = 0; i < SOURCES.size(); i++) {
            try (Connection c = f.connect(primary(f, SOURCES.get(i)))) {
                Queries.execute(c, "CREATE DATABASE " + db);
                Queries.execute(c, "CREATE TABLE " + db + ".items (id BIGINT PRIMARY KEY, sku VARCHAR(64) NOT NULL, qty INT NOT NULL)");
                for (int k = 1; k <= 3; k++) Queries.execute(c, "INSERT INTO " + db + ".items VALUES (" + ((i + 1) * 100 + k) + ", 'seed', " + k + ")");
            }
        }
        Topology t = f.topology();
        Plan plan = new Planner(t, f.admin(), t.credentials().stream().resolve(), Clock.systemUTC())
                .plan(new MergeRequest(db, SOURCES, TARGET, db, List.of(), KeyStrategy.REJECT, List.of(), null));
        MergeControl control = new MergeControl();
        try (Catalog catalog = Catalog.embedded(f.home());
             MergeJob job = new MergeJob(plan, t, f.admin(), t.credentials().stream().resolve(), new JobStore(catalog), f.home(), control, System.out::println)) {
            catalog.savePlan(plan.id(), "it", String.join(",", SOURCES), TARGET, PlanJson.write(plan));
            JobStore jobs = new JobStore(catalog);
            CompletableFuture<Void> running = MergeRuns.background(job, MergeJob.Until.STOPPED);
            Fleet.await("streaming", Duration.ofSeconds(120), () -> jobs.state(plan.id()) == JobState.STREAMING || running.isDone());
            StringWriter out = new StringWriter();
            assertThat(cli(f, out, "merge", "rollback", plan.id())).as(out.toString()).isNotZero();
            assertThat(out.toString()).contains("only a merge that was cut over (DONE) can be rolled back");
            assertThat(cli(f, out = new StringWriter(), "merge", "verify", plan.id())).as(out.toString()).isZero();
            assertThat(cli(f, out = new StringWriter(), "merge", "cutover", plan.id(), "--max-freeze", "5s")).as(out.toString()).isZero();
            running.get(60, java.util.concurrent.TimeUnit.SECONDS);

            try (Connection c = f.connect(primary(f, TARGET))) {
                Queries.execute(c, "UPDATE " + db + ".items SET qty = qty + 10 WHERE id = 202");
                Queries.execute(c, "DELETE FROM " + db + ".items WHERE id = 303");
                Queries.execute(c, "INSERT INTO " + db + ".items VALUES (9001, 'new', 1), (9002, 'new', 2)");
            }
            assertThat(cli(f, out = new StringWriter(), "merge", "rollback", plan.id(), "--switch")).as(out.toString()).isEqualTo(4);
            assertThat(out.toString()).contains("refused, nothing changed").contains("needs its rollback stream running ('merge rollback " + plan.id() + "')");
            assertThat(cli(f, out = new StringWriter(), "merge", "rollback", plan.id(), "--until-caught-up")).as(out.toString()).isNotZero();
            assertThat(out.toString()).contains("items key [9001] was created on the target after the cutover").contains("--new-rows-to GROUP");
            assertThat(cli(f, out = new StringWriter(), "merge", "rollback", plan.id(), "--until-caught-up", "--new-rows-to", "g9")).as(out.toString()).isNotZero();
            assertThat(out.toString()).contains("--new-rows-to g9 is not a source of merge");
            for (String g : SOURCES) {
                try (Connection c = f.connect(primary(f, g))) {
                    assertThat(Queries.string(c, "SELECT COUNT(*) FROM " + db + ".items WHERE id > 9000")).as("nothing applied on %s by a refused rollback", g).isEqualTo("0");
                }
            }

            StringWriter streamOut = new StringWriter();
            ExecutorService ex = Executors.newSingleThreadExecutor();
            try {
                CompletableFuture<Integer> stream = CompletableFuture.supplyAsync(() -> cli(f, streamOut, "merge", "rollback", plan.id(), "--new-rows-to", "g4"), ex);
                Fleet.await("rollback stream caught up", Duration.ofSeconds(60), () -> stream.isDone() || streamOut.toString().contains("rollback stream caught up"));
                assertThat(stream.isDone()).as(streamOut.toString()).isFalse();
                assertThat(cli(f, out = new StringWriter(), "merge", "rollback", plan.id(), "--switch")).as(out.toString()).isZero();
                assertThat(stream.get(60, java.util.concurrent.TimeUnit.SECONDS)).as(streamOut.toString()).isZero();
            } finally {
                ex.shutdownNow();
            }
            assertThat(jobs.state(plan.id())).isEqualTo(JobState.ROLLED_BACK);
            try (Connection c = f.connect(primary(f, "g2"))) {
                assertThat(Queries.string(c, "SELECT qty FROM " + db + ".items WHERE id = 202")).isEqualTo("12");
            }
            try (Connection c = f.connect(primary(f, "g3"))) {
                assertThat(Queries.string(c, "SELECT COUNT(*) FROM " + db + ".items WHERE id = 303")).isEqualTo("0");
            }
            try (Connection c = f.connect(primary(f, "g4"))) {
                assertThat(Queries.string(c, "SELECT GROUP_CONCAT(id ORDER BY id) FROM " + db + ".items WHERE id > 9000")).isEqualTo("9001,9002");
            }
        } finally {
            for (String g : java.util.stream.Stream.concat(SOURCES.stream(), java.util.stream.Stream.of(TARGET)).toList()) {
                String p = primary(f, g);
                try (Connection c = f.connect(p)) {
                    Queries.execute(c, f.discover().state(p).flavor().unfence());
                }
            }
        }
    }

    private static void assertAborted(Merge m, Cutover.Result r, String reason) throws Exception {
        System.out.println("cutover " + r.outcome() + ": " + r.reason());
        assertThat(r.outcome()).isEqualTo(Cutover.Outcome.ABORTED);
        assertThat(r.reason()).contains(reason);
        assertThat(m.jobs.state(m.plan.id())).isEqualTo(JobState.STREAMING);
        m.assertSourcesWritable(true);
        int before = m.writers.stream().mapToInt(w -> w.acknowledged.size()).sum();
        Fleet.await("clients acknowledged again on the sources", Duration.ofSeconds(10), () -> m.writers.stream().mapToInt(w -> w.acknowledged.size()).sum() > before + 20);
    }

    private static void tamperLastTouchedRow(Merge m) {
        try (Connection c = m.f.connect(primary(m.f, TARGET))) {
            String batch = Queries.string(c, "SELECT keys_json FROM _shardkit.touched_batches WHERE job_id = '" + m.plan.id() + "' ORDER BY id DESC LIMIT 1");
            var items = new com.fasterxml.jackson.databind.ObjectMapper().readTree(batch).get("items");
            String key = items.get(items.size() - 1).asText();
            List<Object> k = KeyValues.decode(key);
            try (var st = c.createStatement()) {
                int n = st.executeUpdate("UPDATE " + m.db + ".items SET qty = qty + 1000 WHERE id = " + k.get(0) + " AND _shard = '" + k.get(1) + "'");
                System.out.println("tampered with target row " + key + " (" + n + " row)");
                if (n != 1) throw new IllegalStateException("the tamper changed " + n + " rows");
            }
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
