package io.shardkit.it.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.catalog.Catalog;
import io.shardkit.cutover.MergeVerify;
import io.shardkit.it.fixture.Fleet;
import io.shardkit.it.fixture.MergeRuns;
import io.shardkit.it.fixture.RowCompare;
import io.shardkit.it.fixture.Workload;
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
import io.shardkit.shell.Main;
import io.shardkit.topology.Topology;
import io.shardkit.verify.RowDiff;
import io.shardkit.verify.TableResult;
import io.shardkit.verify.Verifier;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * merge verify on a live merge (g1, g2 into g3, the stream running): clean after a correct merge
 * under a workload; every injected divergence found with its exact key (a row deleted on the
 * target, a value changed on the target, an extra row on the target, a row changed on a source
 * while the stream is paused); --print-sql shows the repair and changes nothing; --repair fixes
 * them; the next verify is clean, and so is an independent full comparison. Then an incremental
 * verify re-checks only the rows the stream wrote since.
 */
abstract class VerifyScenarios {
    static final Verifier.Settings SMALL_CHUNKS = new Verifier.Settings(500, 3, 3);

    static String primary(Fleet f, String g) {
        return f.discover().group(g).primary().orElseThrow();
    }

    static int cli(Fleet f, StringWriter out, String... args) {
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--home", f.home().toString())).toArray(String[]::new);
        return Main.run(new PrintWriter(out, true), new PrintWriter(out, true), all);
    }

    void seed(Fleet f, String db, String group) throws Exception {
        try (Connection c = f.connect(primary(f, group))) {
            Queries.execute(c, "CREATE DATABASE " + db);
            Queries.execute(c, "CREATE TABLE " + db + ".items (id BIGINT AUTO_INCREMENT PRIMARY KEY, sku VARCHAR(32) NOT NULL, qty INT NOT NULL,"
                    + " price DECIMAL(10,2), note TEXT, updated DATETIME(6) NOT NULL, w FLOAT) CHARACTER SET utf8mb4");
            StringBuilder sb = new StringBuilder("INSERT INTO " + db + ".items (sku, qty, w, price, note, updated) VALUES ");
            for (int i = 0; i < 3000; i++) sb.append(i == 0 ? "" : ",").append("('s").append(i).append("', ").append(i % 97).append(", ").append(i).append(".1234567, ").append(i).append(".25, ")
                    .append(i % 5 == 0 ? "NULL" : "'n\u00e9 ," + i + "'").append(", '2024-01-02 03:04:05.").append(String.format("%06d", i)).append("')");
            Queries.execute(c, sb.toString());
        }
    }

    @Test
    void offsetMerge(Fleet f) throws Exception {
        verifyFindsAndRepairs(f, KeyStrategy.OFFSET);
    }

    @Test
    void shardColumnMerge(Fleet f) throws Exception {
        verifyFindsAndRepairs(f, KeyStrategy.SHARD_COLUMN);
    }

    /**
     * A composite key led by text, merged with a shard column: both sources hold the same keys, so
     * every chunk key appears twice on the target. Verify nibbles such a table in one segment and
     * ends each chunk before the run of its last key; with chunks of 2 rows every nibble is one
     * such run. Every size finds exactly the injected differences.
     */
    @Test
    void compositeTextKeyUnderAShardColumn(Fleet f) throws Exception {
        String db = "vf_composite";
        StringBuilder rows = new StringBuilder("INSERT INTO " + db + ".tags VALUES ");
        for (int i = 0; i < 300; i++) rows.append(i == 0 ? "" : ",").append("('").append(List.of("eu", "us", "ap").get(i % 3)).append("', ").append(i).append(", ").append(i).append(")");
        MergeRuns.onPrimaries(f, List.of("g1", "g2"), "CREATE DATABASE " + db,
                "CREATE TABLE " + db + ".tags (region VARCHAR(8) NOT NULL, n INT NOT NULL, v INT, PRIMARY KEY (region, n)) CHARACTER SET utf8mb4", rows.toString());
        Topology t = f.topology();
        Plan plan = new Planner(t, f.admin(), t.credentials().stream().resolve(), Clock.systemUTC())
                .plan(new MergeRequest(db, List.of("g1", "g2"), "g3", db, List.of(), KeyStrategy.SHARD_COLUMN, List.of(), "_shard"));
        try (Catalog catalog = Catalog.embedded(f.home())) {
            catalog.savePlan(plan.id(), "it", "g1,g2", "g3", PlanJson.write(plan));
            MergeControl control = new MergeControl();
            JobStore jobs = new JobStore(catalog);
            try (MergeJob job = new MergeJob(plan, t, f.admin(), t.credentials().stream().resolve(), jobs, f.home(), control, System.out::println)) {
                CompletableFuture<Void> running = MergeRuns.background(job, MergeJob.Until.STOPPED);
                Fleet.await("copy finished", Duration.ofSeconds(120), () -> jobs.state(plan.id()) == JobState.STREAMING || running.isDone());
                job.awaitCaughtUp();
                try (Connection c = f.connect(primary(f, "g3"))) {
                    c.setCatalog(db);
                    Queries.execute(c, "DELETE FROM tags WHERE region = 'us' AND n = 100 AND _shard = 'g1'");
                    Queries.execute(c, "UPDATE tags SET v = -1 WHERE region = 'ap' AND n = 299 AND _shard = 'g2'");
                    Queries.execute(c, "INSERT INTO tags VALUES ('eu', 5000, 1, 'g2')");
                }
                Set<String> expected = Set.of("MISSING [\"us\",100,\"g1\"]", "DIFFERENT [\"ap\",299,\"g2\"]", "EXTRA [\"eu\",5000,\"g2\"]");
                try (MergeVerify v = new MergeVerify(plan, t, f.admin(), catalog, 4, System.out::println)) {
                    for (int size : List.of(2, 7, 500)) {
                        MergeVerify.Report r = v.run(List.of(), true, new Verifier.Settings(size, 3, 3));
                        assertThat(found(r)).as("chunks of %d", size).isEqualTo(expected);
                        assertThat(r.tables().getFirst().rows()).as("chunks of %d", size).isEqualTo(600);
                    }
                    v.repair(v.run(List.of(), true, SMALL_CHUNKS), true);
                    assertThat(v.run(List.of(), true, new Verifier.Settings(2, 3, 3)).clean()).isTrue();
                }
                control.requestStop();
                running.get();
            }
        }
    }

    /** Target key of source row {@code id} of {@code group} under the plan, as verify prints it. */
    static String key(Plan plan, String group, long id) {
        if (plan.strategy() == KeyStrategy.SHARD_COLUMN) return "[" + id + ",\"" + group + "\"]";
        return "[" + (id + plan.tables().getFirst().offsets().get(group)) + "]";
    }

    void verifyFindsAndRepairs(Fleet f, KeyStrategy strategy) throws Exception {
        String db = "vf_" + strategy.word().replace('-', '_');
        for (String g : List.of("g1", "g2")) seed(f, db, g);
        Topology t = f.topology();
        Plan plan = new Planner(t, f.admin(), t.credentials().stream().resolve(), Clock.systemUTC())
                .plan(new MergeRequest(db, List.of("g1", "g2"), "g3", db, List.of(), strategy, List.of(), "_shard"));
        try (Catalog catalog = Catalog.embedded(f.home())) {
            catalog.savePlan(plan.id(), "it", "g1,g2", "g3", PlanJson.write(plan));
            JobStore jobs = new JobStore(catalog);
            MergeControl control = new MergeControl();
            control.chunkSize(300);
            try (MergeJob job = new MergeJob(plan, t, f.admin(), t.credentials().stream().resolve(), jobs, f.home(), control, System.out::println)) {
                Workload w1 = new Workload(t.instance(primary(f, "g1")).endpoint(), f.admin(), db + ".items", 0, 21, 1500);
                Workload w2 = new Workload(t.instance(primary(f, "g2")).endpoint(), f.admin(), db + ".items", 0, 22, 1500);
                CompletableFuture<Void> l1 = CompletableFuture.runAsync(w1, MergeRuns.OWN_THREAD);
                CompletableFuture<Void> l2 = CompletableFuture.runAsync(w2, MergeRuns.OWN_THREAD);
                CompletableFuture<Void> running = MergeRuns.background(job, MergeJob.Until.STOPPED);
                Fleet.await("copy finished", Duration.ofSeconds(120), () -> jobs.state(plan.id()) == JobState.STREAMING || running.isDone());
                CompletableFuture.allOf(l1, l2).get();
                assertThat(w1.error()).isNull();
                assertThat(w2.error()).isNull();
                job.awaitCaughtUp();

                // 1. a correct merge verifies clean, through the command an operator runs
                StringWriter out = new StringWriter();
                assertThat(cli(f, out, "merge", "verify", plan.id(), "--chunk-size", "500")).as(out.toString()).isZero();
                assertThat(out.toString()).contains("verify " + plan.id() + ": clean").contains("chunks");
                out = new StringWriter();
                assertThat(cli(f, out, "merge", "status", plan.id())).as(out.toString()).isZero();
                assertThat(out.toString()).containsPattern("items +\\d+ s ago +chunks +\\d+ +0 +clean").contains("cutover: not attempted");

                // 2. divergences: three on the target, one on a source while the stream is paused
                String tp = primary(f, "g3");
                long gone = 7, changed = 8, floatChanged = 10;
                try (Connection c = f.connect(tp)) {
                    c.setCatalog(db);
                    Queries.execute(c, "DELETE FROM items WHERE " + where(plan, "g1", gone));
                    Queries.execute(c, "UPDATE items SET qty = qty + 1000 WHERE " + where(plan, "g2", changed));
                    // a float changed below the six digits both flavors print: the text is the same, the value is not
                    Queries.execute(c, "UPDATE items SET w = w + 0.00002 WHERE " + where(plan, "g2", floatChanged));
                    if (strategy == KeyStrategy.SHARD_COLUMN) Queries.execute(c, "INSERT INTO items (id, _shard, sku, qty, updated) VALUES (999999, 'g2', 'x', 1, NOW(6))");
                    else Queries.execute(c, "INSERT INTO items (id, sku, qty, updated) VALUES (" + (plan.tables().getFirst().offsets().get("g2") + 99_999) + ", 'x', 1, NOW(6))");
                }
                jobs.move(plan.id(), JobState.PAUSED, "test: stream paused");
                Fleet.await("apply paused", Duration.ofSeconds(10), control::paused);
                long sourceChanged = 9;
                try (Connection c = f.connect(primary(f, "g1"))) {
                    Queries.execute(c, "UPDATE " + db + ".items SET note = 'changed while paused' WHERE id = " + sourceChanged);
                }
                String extra = strategy == KeyStrategy.SHARD_COLUMN ? "[999999,\"g2\"]" : "[" + (plan.tables().getFirst().offsets().get("g2") + 99_999) + "]";
                Set<String> expected = Set.of("MISSING " + key(plan, "g1", gone), "DIFFERENT " + key(plan, "g2", changed), "EXTRA " + extra,
                        "DIFFERENT " + key(plan, "g1", sourceChanged), "DIFFERENT " + key(plan, "g2", floatChanged));
                try (MergeVerify v = new MergeVerify(plan, t, f.admin(), catalog, 4, System.out::println)) {
                    // without --full only rows the stream wrote since the clean pass are re-checked: none of these
                    assertThat(v.run(List.of(), false, SMALL_CHUNKS).tables().getFirst()).extracting(TableResult::mode, r -> r.diffs().size()).containsExactly("keys", 0);
                    MergeVerify.Report r = v.run(List.of(), true, SMALL_CHUNKS);
                    assertThat(found(r)).isEqualTo(expected);
                    assertThat(r.clean()).isFalse();
                    assertThat(r.tables().getFirst().mismatchedChunks()).isBetween(2L, 4L);
                }

                // 3. --print-sql shows the repair and changes nothing
                out = new StringWriter();
                assertThat(cli(f, out, "merge", "verify", plan.id(), "--chunk-size", "500", "--print-sql", "--full")).as(out.toString()).isEqualTo(4);
                assertThat(out.toString()).contains("missing items " + key(plan, "g1", gone)).contains("extra items " + extra)
                        .contains("INSERT INTO `" + db + "`.`items`").contains("'changed while paused'").contains("DELETE FROM `" + db + "`.`items`");
                try (MergeVerify v = new MergeVerify(plan, t, f.admin(), catalog, 4, System.out::println)) {
                    assertThat(found(v.run(List.of(), true, SMALL_CHUNKS))).isEqualTo(expected);
                }

                // 4. --repair fixes them; the stream resumes; the next verify is clean
                out = new StringWriter();
                assertThat(cli(f, out, "merge", "verify", plan.id(), "--chunk-size", "500", "--repair", "--full")).as(out.toString()).isZero();
                assertThat(out.toString()).contains("repaired: 4 rows re-copied, 1 extra rows deleted");
                jobs.move(plan.id(), JobState.STREAMING, "test: stream resumed");
                job.awaitCaughtUp();
                out = new StringWriter();
                assertThat(cli(f, out, "merge", "verify", plan.id(), "--chunk-size", "500")).as(out.toString()).isZero();
                assertThat(out.toString()).contains(" chunks ");
                assertThat(independentDiff(f, plan, db)).isEmpty();

                // 5. after a clean pass, verify re-checks only what the stream wrote since
                int updated;
                try (Connection c = f.connect(primary(f, "g2")); var st = c.createStatement()) {
                    updated = st.executeUpdate("UPDATE " + db + ".items SET qty = qty + 1 WHERE id BETWEEN 100 AND 149");
                }
                assertThat(updated).isGreaterThan(40); // the workload deleted or moved a few
                job.awaitCaughtUp();
                try (MergeVerify v = new MergeVerify(plan, t, f.admin(), catalog, 4, System.out::println)) {
                    TableResult r = v.run(List.of(), false, SMALL_CHUNKS).tables().getFirst();
                    assertThat(r.mode()).isEqualTo("keys");
                    // at-least-once delivery may re-apply (and so re-touch) a few earlier rows: harmless, and far from a full pass
                    assertThat(r.rows()).isBetween((long) updated, updated + 10L);
                    assertThat(r.clean()).isTrue();
                }
                control.requestStop();
                running.get();
            }
        }
    }

    private static String where(Plan plan, String group, long sourceId) {
        if (plan.strategy() == KeyStrategy.SHARD_COLUMN) return "id = " + sourceId + " AND _shard = '" + group + "'";
        return "id = " + (sourceId + plan.tables().getFirst().offsets().get(group));
    }

    private static Set<String> found(MergeVerify.Report r) {
        return r.tables().stream().flatMap(t -> t.diffs().stream()).map((RowDiff d) -> d.kind() + " " + d.keyText()).collect(Collectors.toSet());
    }

    private static List<String> independentDiff(Fleet f, Plan plan, String db) throws Exception {
        TreeMap<String, List<String>> expected = new TreeMap<>();
        boolean shard = plan.strategy() == KeyStrategy.SHARD_COLUMN;
        for (String g : List.of("g1", "g2")) {
            long off = shard ? 0 : plan.tables().getFirst().offsets().get(g);
            expected.putAll(RowCompare.rows(f.topology().instance(primary(f, g)).endpoint(), f.admin(),
                    "SELECT id + " + off + " AS id, " + (shard ? "'" + g + "' AS _shard, " : "") + "sku, qty, price, note, updated FROM " + db + ".items", shard ? 2 : 1));
        }
        TreeMap<String, List<String>> actual = RowCompare.rows(f.topology().instance(primary(f, "g3")).endpoint(), f.admin(),
                "SELECT id, " + (shard ? "_shard, " : "") + "sku, qty, price, note, updated FROM " + db + ".items", shard ? 2 : 1);
        return RowCompare.diff(expected, actual);
    }
}
