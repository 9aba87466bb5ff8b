package io.shardkit.it.merge;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.catalog.Catalog;
import io.shardkit.cutover.Cutover;
import io.shardkit.cutover.FreezeSteps;
import io.shardkit.cutover.MergeVerify;
import io.shardkit.sandbox.Users;
import java.io.StringWriter;
import io.shardkit.it.fixture.CorpusCompare;
import io.shardkit.it.fixture.CorpusWorkload;
import io.shardkit.it.fixture.Fleet;
import io.shardkit.it.fixture.MergeRuns;
import io.shardkit.it.fixture.TypeCorpus;
import io.shardkit.merge.JobState;
import io.shardkit.merge.JobStore;
import io.shardkit.merge.KeyStrategy;
import io.shardkit.merge.MergeControl;
import io.shardkit.merge.MergeJob;
import io.shardkit.merge.MergeRequest;
import io.shardkit.merge.Plan;
import io.shardkit.merge.PlanJson;
import io.shardkit.merge.Planner;
import io.shardkit.mysql.Queries;
import io.shardkit.topology.Topology;
import io.shardkit.verify.RowDiff;
import io.shardkit.verify.Verifier;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The {@link TypeCorpus} merged under a concurrent legacy workload, for each key strategy, through
 * the LOAD DATA copy and the INSERT copy, then the stream (inserts, updates, key changes, deletes
 * during and after the copy): the independent comparison finds the target equal to the union of
 * the sources, value by value. Then shardkit's verify agrees with that comparison: clean, then
 * exactly the injected differences the bytes of a text rendering would hide (an ENUM index under
 * the same label, a float's last bit, a zero date turned partial, a latin1 byte, a BIT(64) bit),
 * then clean again after {@code --repair}.
 */
abstract class TypeCorpusScenarios {
    static final List<String> SOURCES = List.of("g1", "g2");
    static final String TARGET = "g3";

    static String primary(Fleet f, String g) {
        return f.discover().group(g).primary().orElseThrow();
    }

    static boolean mysql(Fleet f) {
        return f.sandbox().layout().spec().flavor() == io.shardkit.sandbox.SandboxSpec.ServerFlavor.MYSQL;
    }

    @Test
    void shardColumnThroughLoadData(Fleet f) throws Exception {
        mergeCorpus(f, KeyStrategy.SHARD_COLUMN, true);
    }

    @Test
    void shardColumnThroughInserts(Fleet f) throws Exception {
        mergeCorpus(f, KeyStrategy.SHARD_COLUMN, false);
    }

    @Test
    void offsetThroughInserts(Fleet f) throws Exception {
        mergeCorpus(f, KeyStrategy.OFFSET, false);
    }

    @Test
    void rejectThroughLoadData(Fleet f) throws Exception {
        mergeCorpus(f, KeyStrategy.REJECT, true);
    }

    /**
     * The reverse path: the corpus merged and cut over, then the application (the same legacy
     * workload) changes every table on the target, the rollback streams the target's binlog back,
     * and after the switch back the frozen target equals the union of the sources, value by value.
     */
    @Test
    void rollbackStreamsTheCorpusBackToItsSources(Fleet f) throws Exception {
        String db = "corpus_rollback";
        KeyStrategy strategy = KeyStrategy.SHARD_COLUMN;
        List<TypeCorpus.Table> tables = TypeCorpus.tables(mysql(f));
        try (Connection c = f.connect(primary(f, TARGET))) {
            Queries.execute(c, "SET GLOBAL local_infile = ON");
        }
        seed(f, db, tables, strategy);
        Topology t = f.topology();
        Plan plan = new Planner(t, f.admin(), t.credentials().stream().resolve(), Clock.systemUTC())
                .plan(new MergeRequest(db, SOURCES, TARGET, db, List.of(), strategy, List.of(), "_shard"));
        try (Catalog catalog = Catalog.embedded(f.home())) {
            catalog.savePlan(plan.id(), "it", String.join(",", SOURCES), TARGET, PlanJson.write(plan));
            JobStore jobs = new JobStore(catalog);
            MergeControl control = new MergeControl();
            try (MergeJob job = new MergeJob(plan, t, f.admin(), t.credentials().stream().resolve(), jobs, f.home(), control, System.out::println)) {
                CompletableFuture<Void> merge = MergeRuns.background(job, MergeJob.Until.STOPPED);
                Fleet.await("copy finished", Duration.ofSeconds(180), () -> jobs.state(plan.id()) == JobState.STREAMING || merge.isDone());
                job.awaitCaughtUp();
                assertThat(CorpusCompare.diff(f, plan, db, tables, SOURCES, TARGET)).as("independent comparison after the merge").isEmpty();
                try (MergeVerify v = new MergeVerify(plan, t, f.admin(), catalog, 4, System.out::println)) {
                    assertThat(v.run(List.of(), true, Verifier.Settings.DEFAULT).clean()).isTrue();
                }
                Cutover cutover = new Cutover(plan, t, f.admin(), Set.of(Users.ADMIN, Users.REPLICATION, Users.STREAM), catalog,
                        new Cutover.Settings(Duration.ofSeconds(10), Duration.ofMinutes(10), Duration.ofSeconds(2), FreezeSteps.Sessions.KILL, null, false,
                                Verifier.Settings.DEFAULT), System.out::println);
                assertThat(cutover.run().outcome()).isEqualTo(Cutover.Outcome.DONE);
                merge.handle((v, e) -> null).get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            // the application on the target, each client on its shard's rows
            StringWriter streamOut = new StringWriter();
            CompletableFuture<Integer> stream = CompletableFuture.supplyAsync(() -> cli(f, streamOut, "merge", "rollback", plan.id()), MergeRuns.OWN_THREAD);
            Fleet.await("rollback stream live", Duration.ofSeconds(90), () -> stream.isDone() || streamOut.toString().contains("rollback stream caught up"));
            assertThat(stream.isDone()).as(streamOut.toString()).isFalse();
            List<CompletableFuture<Void>> writing = new ArrayList<>();
            List<CorpusWorkload> loads = new ArrayList<>();
            for (String g : SOURCES) {
                CorpusWorkload w = new CorpusWorkload(t.instance(primary(f, TARGET)).endpoint(), f.admin(), db, tables, 0, 300 + g.hashCode(), 200).onTarget("_shard", g, 800);
                loads.add(w);
                writing.add(CompletableFuture.runAsync(w, MergeRuns.OWN_THREAD));
            }
            CompletableFuture.allOf(writing.toArray(CompletableFuture[]::new)).get();
            for (CorpusWorkload w : loads) {
                assertThat(w.error()).as("workload on the target").isNull();
                System.out.println("workload on the target: " + w.summary());
            }
            StringWriter out = new StringWriter();
            int code = cli(f, out, "merge", "rollback", plan.id(), "--switch", "--max-freeze", "10s");
            System.out.println(out);
            assertThat(code).as(out.toString()).isZero();
            assertThat(stream.get(60, java.util.concurrent.TimeUnit.SECONDS)).as(streamOut.toString()).isZero();
            assertThat(jobs.state(plan.id())).isEqualTo(JobState.ROLLED_BACK);
        }
        assertThat(CorpusCompare.diff(f, plan, db, tables, SOURCES, TARGET)).as("the frozen target against the sources after the switch back").isEmpty();
        for (String g : List.of("g1", "g2", TARGET)) { // the next test of this class merges into the same groups
            String p = primary(f, g);
            try (Connection c = f.connect(p)) {
                Queries.execute(c, f.discover().state(p).flavor().unfence());
            }
        }
    }

    static int cli(Fleet f, StringWriter out, String... args) {
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--home", f.home().toString())).toArray(String[]::new);
        return io.shardkit.shell.Main.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(out, true), all);
    }

    static long keyBase(KeyStrategy s, int source) {
        return s == KeyStrategy.REJECT ? source * 1_000_000L : 0;
    }

    /** Creates the corpus on every source: ROWS rows per table, and a key of 0 in AUTO_INCREMENT tables (on one source under reject). */
    static void seed(Fleet f, String db, List<TypeCorpus.Table> tables, KeyStrategy s) throws Exception {
        for (int i = 0; i < SOURCES.size(); i++) {
            try (Connection c = f.connect(primary(f, SOURCES.get(i))); Statement st = c.createStatement()) {
                st.execute("SET SESSION sql_mode = '" + TypeCorpus.LEGACY_SQL_MODE + "'");
                st.execute("CREATE DATABASE `" + db + "`");
                for (TypeCorpus.Table t : tables) {
                    st.execute(t.ddl(db));
                    long base = keyBase(s, i);
                    for (int r = 0; r < TypeCorpus.ROWS; r++) st.executeUpdate(t.insert(db, base + 1 + r, r));
                    if (t.autoIncrement() && base == 0) st.executeUpdate(t.insert(db, 0, 3));
                }
            }
        }
    }

    void mergeCorpus(Fleet f, KeyStrategy strategy, boolean loadData) throws Exception {
        String db = "corpus_" + strategy.word().replace('-', '_') + (loadData ? "_ld" : "_ins");
        boolean mysql = mysql(f);
        List<TypeCorpus.Table> tables = TypeCorpus.tables(mysql);
        try (Connection c = f.connect(primary(f, TARGET))) {
            Queries.execute(c, "SET GLOBAL local_infile = " + (loadData ? "ON" : "OFF"));
        }
        seed(f, db, tables, strategy);
        Topology t = f.topology();
        Plan plan = new Planner(t, f.admin(), t.credentials().stream().resolve(), Clock.systemUTC())
                .plan(new MergeRequest(db, SOURCES, TARGET, db, List.of(), strategy, List.of(), "_shard"));
        // two rounds of the legacy application per source: one while the merge starts and copies, one once it streams (so
        // every kind of change also travels through the binlog, whatever the copy's speed)
        List<CorpusWorkload> loads = new ArrayList<>();
        List<CorpusWorkload> streamed = new ArrayList<>();
        for (int i = 0; i < SOURCES.size(); i++) {
            loads.add(new CorpusWorkload(t.instance(primary(f, SOURCES.get(i))).endpoint(), f.admin(), db, tables, keyBase(strategy, i), 100 + i, 150));
            streamed.add(new CorpusWorkload(t.instance(primary(f, SOURCES.get(i))).endpoint(), f.admin(), db, tables, keyBase(strategy, i), 200 + i, 300)
                    .firstNewKey(keyBase(strategy, i) + 700));
        }
        try (Catalog catalog = Catalog.embedded(f.home())) {
            catalog.savePlan(plan.id(), "it", String.join(",", SOURCES), TARGET, PlanJson.write(plan));
            JobStore jobs = new JobStore(catalog);
            MergeControl control = new MergeControl();
            control.chunkSize(7); // several chunks per table: the workload interleaves with the copy
            List<String> progress = new java.util.concurrent.CopyOnWriteArrayList<>();
            try (MergeJob job = new MergeJob(plan, t, f.admin(), t.credentials().stream().resolve(), jobs, f.home(), control,
                    line -> { System.out.println(line); progress.add(line); })) {
                List<CompletableFuture<Void>> running = new ArrayList<>();
                for (CorpusWorkload w : loads) running.add(CompletableFuture.runAsync(w, MergeRuns.OWN_THREAD));
                CompletableFuture<Void> merge = MergeRuns.background(job, MergeJob.Until.STOPPED);
                Fleet.await("copy finished", Duration.ofSeconds(180), () -> jobs.state(plan.id()) == JobState.STREAMING || merge.isDone());
                assertThat(merge).as("the merge is still running: %s", jobs.reason(plan.id())).isNotDone();
                CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get();
                job.awaitCaughtUp();
                long appliedBefore = job.eventsApplied();
                List<CompletableFuture<Void>> streaming = new ArrayList<>();
                for (CorpusWorkload w : streamed) streaming.add(CompletableFuture.runAsync(w, MergeRuns.OWN_THREAD));
                CompletableFuture.allOf(streaming.toArray(CompletableFuture[]::new)).get();
                for (CorpusWorkload w : loads) {
                    assertThat(w.error()).as("workload").isNull();
                    System.out.println("workload during start and copy: " + w.summary());
                }
                for (CorpusWorkload w : streamed) {
                    assertThat(w.error()).as("workload").isNull();
                    System.out.println("workload while streaming: " + w.summary());
                }
                job.awaitCaughtUp();
                long streamedOps = streamed.stream().mapToLong(CorpusWorkload::ops).sum();
                // an UPDATE that changes nothing leaves no row event: most of the round, not all of it
                assertThat(job.eventsApplied() - appliedBefore).as("row events of the streamed round").isGreaterThan(streamedOps / 2);
                assertThat(merge).as("the merge is still running: %s", jobs.reason(plan.id())).isNotDone();
                if (loadData && !mysql) assertThat(progress).noneMatch(l -> l.contains("0 by LOAD DATA"));
                if (!loadData) assertThat(progress).anyMatch(l -> l.contains(" 0 by LOAD DATA"));

                assertThat(CorpusCompare.diff(f, plan, db, tables, SOURCES, TARGET)).as("independent comparison after the merge").isEmpty();
                try (MergeVerify v = new MergeVerify(plan, t, f.admin(), catalog, 4, System.out::println)) {
                    MergeVerify.Report clean = v.run(List.of(), true, new Verifier.Settings(5, 3, 3));
                    assertThat(found(clean)).as("verify of an exact merge").isEmpty();

                    Set<String> injected = inject(f, db, strategy, tables.stream().map(TypeCorpus.Table::name).toList());
                    MergeVerify.Report r = v.run(List.of(), true, new Verifier.Settings(5, 3, 3));
                    List<String> independent = CorpusCompare.diff(f, plan, db, tables, SOURCES, TARGET);
                    assertThat(found(r)).as("verify finds every injected difference, and only those").isEqualTo(injected);
                    assertThat(CorpusCompare.keys(independent)).as("the independent comparison sees the same: %s", independent).isEqualTo(injected);

                    v.repair(r, true);
                    List<String> repaired = CorpusCompare.diff(f, plan, db, tables, SOURCES, TARGET);
                    assertThat(found(v.run(List.of(), true, new Verifier.Settings(5, 3, 3)))).as("verify after --repair (independent: %s)", repaired).isEmpty();
                    assertThat(repaired).as("independent comparison after --repair").isEmpty();
                }
                control.requestStop();
                merge.get();
            }
        }
    }

    /** "table KIND key" of every row verify reported, keys as "id" or "id|shard". */
    static Set<String> found(MergeVerify.Report r) {
        Set<String> out = new TreeSet<>();
        for (var table : r.tables()) {
            for (RowDiff d : table.diffs()) {
                out.add(table.table() + " " + d.kind().name().toLowerCase() + " " + String.join("|", d.key().stream().map(String::valueOf).toList()));
            }
        }
        return out;
    }

    /**
     * Five changes on the target that a comparison of text renderings would miss or that a lossy
     * path could make; returns them as "table different key".
     */
    static Set<String> inject(Fleet f, String db, KeyStrategy strategy, List<String> present) throws Exception {
        boolean shard = strategy == KeyStrategy.SHARD_COLUMN;
        String key = shard ? "CONCAT(id, '|', _shard)" : "id";
        Set<String> out = new TreeSet<>();
        try (Connection c = f.connect(primary(f, TARGET))) {
            c.setCatalog(db);
            Statement st = c.createStatement();
            st.execute("SET SESSION sql_mode = '" + TypeCorpus.LEGACY_SQL_MODE + "'");
            // the same label, another index: '' the member (index 3) becomes '' the invalid value (index 0)
            if (present.contains("t_enum")) out.add(change(st, "t_enum", key, "e + 0 = 3", "UPDATE IGNORE t_enum SET e = 0 WHERE "));
            if (present.contains("t_num")) {
                // one ulp of a FLOAT: the six digits both flavors print stay the same
                String k = one(st, "SELECT " + key + " FROM t_num WHERE ABS(f - 3.3) < 1e-6 LIMIT 1");
                double was;
                try (ResultSet rs = st.executeQuery("SELECT f * 1e0 FROM t_num WHERE " + key + " = '" + k + "'")) {
                    rs.next();
                    was = rs.getDouble(1);
                }
                st.executeUpdate("UPDATE t_num SET f = " + (double) Math.nextUp((float) was) + " WHERE " + key + " = '" + k + "'");
                out.add("t_num different " + k);
            }
            if (present.contains("t_time")) out.add(change(st, "t_time", key, "dt = '0000-00-00 00:00:00'", "UPDATE t_time SET dt = '0000-00-01 00:00:00' WHERE "));
            if (present.contains("t_str")) out.add(change(st, "t_str", key, "l1 = _latin1 X'9D'", "UPDATE t_str SET l1 = _latin1 X'81' WHERE "));
            if (present.contains("t_bin")) out.add(change(st, "t_bin", key, "bit64 + 0 = 18446744073709551615", "UPDATE t_bin SET bit64 = 18446744073709551614 WHERE "));
        }
        return out;
    }

    private static String change(Statement st, String table, String key, String where, String update) throws Exception {
        String k = one(st, "SELECT " + key + " FROM " + table + " WHERE " + where + " LIMIT 1");
        assertThat(st.executeUpdate(update + key + " = '" + k + "'")).isEqualTo(1);
        return table + " different " + k;
    }

    private static String one(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).as(sql).isTrue();
            return rs.getString(1);
        }
    }
}
