package io.shardkit.it.merge;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.catalog.Catalog;
import io.shardkit.it.fixture.Fleet;
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
import io.shardkit.topology.Topology;
import java.sql.Connection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * The online merge, end to end on real servers: sources under a randomized concurrent workload
 * (inserts, updates, primary-key changes, deletes) during copy and streaming; once the workload
 * stops and the streams have caught up, an independent full comparison must show target = union
 * of the sources under the key strategy. Fleet groups: g1..g4 sources (each strategy uses its own
 * database), g5 target.
 */
abstract class MergeRunScenarios {
    static final int PRELOAD = 3000;

    static String primary(Fleet f, String g) {
        return f.discover().group(g).primary().orElseThrow();
    }

    void seed(Fleet f, String db, String group, long autoIncrement) throws Exception {
        try (Connection c = f.connect(primary(f, group))) {
            Queries.execute(c, "CREATE DATABASE " + db);
            Queries.execute(c, "CREATE TABLE " + db + ".items (id BIGINT AUTO_INCREMENT PRIMARY KEY, sku VARCHAR(32) NOT NULL, qty INT NOT NULL,"
                    + " price DECIMAL(10,2), note TEXT, updated DATETIME(6) NOT NULL) AUTO_INCREMENT=" + autoIncrement + " CHARACTER SET utf8mb4");
            StringBuilder sb = new StringBuilder("INSERT INTO " + db + ".items (sku, qty, price, note, updated) VALUES ");
            for (int i = 0; i < PRELOAD; i++) sb.append(i == 0 ? "" : ",").append("('s").append(i).append("', ").append(i % 97).append(", ").append(i).append(".25, ")
                    .append(i % 5 == 0 ? "NULL" : "'n\u00e9 " + i + "'").append(", '2024-01-02 03:04:05.").append(String.format("%06d", i)).append("')");
            Queries.execute(c, sb.toString());
        }
    }

    static final List<String> SOURCES = List.of("g1", "g2", "g3", "g4");
    static final String TARGET = "g5";

    /** @param keySpacing 0: every source counts its keys from 1 (they collide); else source i starts at i * keySpacing + 1 */
    void mergeUnderLoad(Fleet f, KeyStrategy strategy, long keySpacing) throws Exception {
        String db = "m_" + strategy.name().toLowerCase();
        for (int i = 0; i < SOURCES.size(); i++) seed(f, db, SOURCES.get(i), i * keySpacing + 1);
        Topology t = f.topology();
        Plan plan = new Planner(t, f.admin(), t.credentials().stream().resolve(), Clock.systemUTC())
                .plan(new MergeRequest("run-" + strategy.word(), SOURCES, TARGET, db, List.of(), strategy, List.of(), "_shard"));
        List<Workload> loads = new ArrayList<>();
        for (int i = 0; i < SOURCES.size(); i++) {
            loads.add(new Workload(t.instance(primary(f, SOURCES.get(i))).endpoint(), f.admin(), db + ".items", i * keySpacing, 11 + i, 100_000));
        }
        try (Catalog catalog = Catalog.embedded(f.home())) {
            catalog.savePlan(plan.id(), "it", String.join(",", SOURCES), TARGET, PlanJson.write(plan));
            JobStore jobs = new JobStore(catalog);
            MergeControl control = new MergeControl();
            control.chunkSize(200); // many chunks, so the workload interleaves with the copy
            ExecutorService ex = Executors.newFixedThreadPool(SOURCES.size());
            loads.forEach(ex::submit);
            try (MergeJob job = new MergeJob(plan, t, f.admin(), t.credentials().stream().resolve(), jobs, f.home(), control, System.out::println)) {
                job.run(MergeJob.Until.CAUGHT_UP);
                assertThat(jobs.state(plan.id())).isEqualTo(JobState.STREAMING);
                loads.forEach(Workload::stop);
                ex.shutdown();
                assertThat(ex.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                for (Workload w : loads) {
                    assertThat(w.error()).isNull();
                    System.out.printf("workload: %d inserts, %d updates, %d key changes, %d deletes%n", w.inserts.get(), w.updates.get(), w.keyChanges.get(), w.deletes.get());
                    assertThat(w.keyChanges.get()).isPositive();
                    assertThat(w.deletes.get()).isPositive();
                }
                // a second marker per source proves the streams applied everything the workload wrote
                job.awaitCaughtUp();
            }
        }
        TreeMap<String, List<String>> expected = new TreeMap<>();
        int keyCols = strategy == KeyStrategy.SHARD_COLUMN ? 2 : 1;
        for (Plan.Source s : plan.sources()) {
            long offset = strategy == KeyStrategy.OFFSET ? plan.tables().getFirst().offsets().get(s.group()) : 0;
            String shard = strategy == KeyStrategy.SHARD_COLUMN ? "'" + s.group() + "' AS _shard, " : "";
            expected.putAll(RowCompare.rows(t.instance(primary(f, s.group())).endpoint(), f.admin(),
                    "SELECT id + " + offset + " AS id, " + shard + "sku, qty, price, note, updated FROM " + db + ".items", keyCols));
        }
        String shardCol = strategy == KeyStrategy.SHARD_COLUMN ? "_shard, " : "";
        TreeMap<String, List<String>> actual = RowCompare.rows(t.instance(primary(f, TARGET)).endpoint(), f.admin(),
                "SELECT id, " + shardCol + "sku, qty, price, note, updated FROM " + db + ".items", keyCols);
        List<String> diff = RowCompare.diff(expected, actual);
        assertThat(diff).as("target vs union of sources (%d expected rows)", expected.size()).isEmpty();
        assertThat(actual.size()).isGreaterThan(SOURCES.size() * PRELOAD / 2);
    }

    @Test
    void shardColumnMergeUnderConcurrentWritesEqualsTheUnionOfSources(Fleet f) throws Exception {
        mergeUnderLoad(f, KeyStrategy.SHARD_COLUMN, 0);
    }

    @Test
    void offsetMergeUnderConcurrentWritesEqualsTheUnionOfSources(Fleet f) throws Exception {
        mergeUnderLoad(f, KeyStrategy.OFFSET, 0);
    }

    @Test
    void rejectMergeOfDisjointSourcesUnderConcurrentWrites(Fleet f) throws Exception {
        mergeUnderLoad(f, KeyStrategy.REJECT, 100_000_000L);
    }
}
