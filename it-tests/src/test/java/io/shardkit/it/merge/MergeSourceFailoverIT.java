package io.shardkit.it.merge;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.catalog.Catalog;
import io.shardkit.failover.FailoverSettings;
import io.shardkit.failover.Failovers;
import io.shardkit.failover.recovery.Servers;
import io.shardkit.failover.recovery.Switchover;
import io.shardkit.it.fixture.Fleet;
import io.shardkit.it.fixture.FleetShape;
import io.shardkit.it.fixture.MergeRuns;
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
import io.shardkit.sandbox.SandboxSpec;
import io.shardkit.topology.Topology;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A source's primary changes while the merge streams: the job must notice, resume that source's
 * stream on the new primary by GTID, and lose nothing (independent full comparison).
 */
@FleetShape(flavor = SandboxSpec.ServerFlavor.MARIADB, zones = 3, hostsPerZone = 1, groups = 3, replicas = 1)
class MergeSourceFailoverIT {

    static String primary(Fleet f, String g) {
        return f.discover().group(g).primary().orElseThrow();
    }

    /** shardkit's switchover of the group (fence, catch up, promote, move the writer IP, demote the old primary); returns the new primary. */
    static String switchover(Fleet f, String group) throws Exception {
        Topology t = f.topology();
        try (Catalog c = Catalog.embedded(f.home());
             Failovers ops = new Failovers(t, FailoverSettings.defaults(f.admin()), c, new Servers(t, f.admin(), t.credentials().replication().resolve()), System.out::println)) {
            Switchover.Result r = ops.switchover(group, null, Duration.ofSeconds(2));
            assertThat(r.done()).as(r.reason()).isTrue();
            assertThat(primary(f, group)).isEqualTo(r.newPrimary());
            return r.newPrimary();
        }
    }

    /** {@code db.items} with 3,000 rows on g1 and on g2. */
    static void seedItems(Fleet f, String db) throws Exception {
        for (String g : List.of("g1", "g2")) {
            try (Connection c = f.connect(primary(f, g))) {
                Queries.execute(c, "CREATE DATABASE " + db);
                Queries.execute(c, "CREATE TABLE " + db + ".items (id BIGINT AUTO_INCREMENT PRIMARY KEY, sku VARCHAR(32) NOT NULL, qty INT NOT NULL,"
                        + " price DECIMAL(10,2), note TEXT, updated DATETIME(6) NOT NULL)");
                c.setCatalog(db);
                Queries.execute(c, "INSERT INTO items (sku, qty, price, note, updated) SELECT CONCAT('s', seq), seq % 100, seq / 4, NULL, NOW(6) FROM seq_1_to_3000");
            }
        }
    }

    @Test
    void streamFollowsTheNewPrimaryByGtidAndLosesNothing(Fleet f) throws Exception {
        String db = "fo";
        seedItems(f, db);
        Topology t = f.topology();
        Plan plan = new Planner(t, f.admin(), t.credentials().stream().resolve(), Clock.systemUTC())
                .plan(new MergeRequest("fo-1", List.of("g1", "g2"), "g3", db, List.of(), KeyStrategy.SHARD_COLUMN, List.of(), "_shard"));
        try (Catalog catalog = Catalog.embedded(f.home())) {
            catalog.savePlan(plan.id(), "it", "g1,g2", "g3", PlanJson.write(plan));
            JobStore jobs = new JobStore(catalog);
            StringBuilder log = new StringBuilder();
            MergeControl control = new MergeControl();
            try (MergeJob job = new MergeJob(plan, t, f.admin(), t.credentials().stream().resolve(), jobs, f.home(), control,
                    line -> { System.out.println(line); synchronized (log) { log.append(line).append('\n'); } })) {
                CompletableFuture<Void> running = MergeRuns.background(job, MergeJob.Until.STOPPED);
                Fleet.await("merge streaming", Duration.ofSeconds(120), () -> jobs.state(plan.id()) == JobState.STREAMING || running.isDone());
                assertThat(running).isNotDone();

                ExecutorService ex = Executors.newCachedThreadPool();
                Workload w1 = new Workload(t.instance(primary(f, "g1")).endpoint(), f.admin(), db + ".items", 0, 5, 1500);
                Workload w2 = new Workload(t.instance(primary(f, "g2")).endpoint(), f.admin(), db + ".items", 0, 6, 4000);
                ex.submit(w1).get(120, TimeUnit.SECONDS); // g1's writes before the switchover, all acknowledged
                ex.submit(w2);
                String newPrimary = switchover(f, "g1");
                Workload w3 = new Workload(t.instance(newPrimary).endpoint(), f.admin(), db + ".items", 0, 7, 1500);
                ex.submit(w3).get(120, TimeUnit.SECONDS);
                w2.stop();
                ex.shutdown();
                assertThat(ex.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
                for (Workload w : List.of(w1, w2, w3)) assertThat(w.error()).isNull();

                job.awaitCaughtUp();
                synchronized (log) {
                    assertThat(log.toString()).contains("source g1: primary moved from ").contains("to " + newPrimary);
                }
                control.requestStop();
                running.get(60, TimeUnit.SECONDS);
            }
        }
        assertThat(MergeRuns.compareShardColumn(f, db + ".items", "sku, qty, price, note, updated", List.of("g1", "g2"), "g3")).isEmpty();
    }

    /**
     * The target's primary changes while the merge streams under write load on both sources: the
     * apply refuses the demoted (read-only) server, finds the new primary, and every stream resumes
     * from the checkpoints the new primary holds. Nothing is lost (independent full comparison).
     */
    @Test
    void applyFollowsTheTargetsNewPrimaryAndLosesNothing(Fleet f) throws Exception {
        String db = "fot";
        seedItems(f, db);
        Topology t = f.topology();
        Plan plan = new Planner(t, f.admin(), t.credentials().stream().resolve(), Clock.systemUTC())
                .plan(new MergeRequest("fot-1", List.of("g1", "g2"), "g3", db, List.of(), KeyStrategy.SHARD_COLUMN, List.of(), "_shard"));
        String oldTarget = primary(f, "g3");
        String newTarget;
        try (Catalog catalog = Catalog.embedded(f.home())) {
            catalog.savePlan(plan.id(), "it", "g1,g2", "g3", PlanJson.write(plan));
            JobStore jobs = new JobStore(catalog);
            StringBuilder log = new StringBuilder();
            MergeControl control = new MergeControl();
            try (MergeJob job = new MergeJob(plan, t, f.admin(), t.credentials().stream().resolve(), jobs, f.home(), control,
                    line -> { System.out.println(line); synchronized (log) { log.append(line).append('\n'); } })) {
                CompletableFuture<Void> running = MergeRuns.background(job, MergeJob.Until.STOPPED);
                Fleet.await("merge streaming", Duration.ofSeconds(120), () -> jobs.state(plan.id()) == JobState.STREAMING || running.isDone());
                assertThat(running).isNotDone();

                ExecutorService ex = Executors.newCachedThreadPool();
                Workload w1 = new Workload(t.instance(primary(f, "g1")).endpoint(), f.admin(), db + ".items", 0, 8, 4000);
                Workload w2 = new Workload(t.instance(primary(f, "g2")).endpoint(), f.admin(), db + ".items", 0, 9, 4000);
                var d1 = ex.submit(w1);
                var d2 = ex.submit(w2);
                Fleet.await("writes flowing", Duration.ofSeconds(30), () -> w1.ops() > 500 || d1.isDone());
                newTarget = switchover(f, "g3");
                d1.get(180, TimeUnit.SECONDS);
                d2.get(180, TimeUnit.SECONDS);
                ex.shutdown();
                for (Workload w : List.of(w1, w2)) assertThat(w.error()).isNull();

                job.awaitCaughtUp();
                synchronized (log) {
                    assertThat(log.toString()).contains("target g3: primary moved from " + oldTarget + " to " + newTarget);
                }
                assertThat(running).isNotDone();
                control.requestStop();
                running.get(60, TimeUnit.SECONDS);
            }
        }
        assertThat(primary(f, "g3")).isEqualTo(newTarget);
        assertThat(MergeRuns.compareShardColumn(f, db + ".items", "sku, qty, price, note, updated", List.of("g1", "g2"), "g3")).isEmpty();
    }

    @Test
    void aDdlOnASourcePausesTheJobNamingTheStatementAndTheSource(Fleet f) throws Exception {
        String db = "ddl";
        MergeRuns.onPrimaries(f, List.of("g1", "g2"), "CREATE DATABASE " + db, "CREATE TABLE " + db + ".items (id BIGINT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(32))",
                "INSERT INTO " + db + ".items (v) VALUES ('a'), ('b')");
        Topology t = f.topology();
        Plan plan = new Planner(t, f.admin(), t.credentials().stream().resolve(), Clock.systemUTC())
                .plan(new MergeRequest("ddl-1", List.of("g1", "g2"), "g3", db, List.of(), KeyStrategy.SHARD_COLUMN, List.of(), "_shard"));
        try (Catalog catalog = Catalog.embedded(f.home())) {
            catalog.savePlan(plan.id(), "it", "g1,g2", "g3", PlanJson.write(plan));
            JobStore jobs = new JobStore(catalog);
            try (MergeJob job = new MergeJob(plan, t, f.admin(), t.credentials().stream().resolve(), jobs, f.home(), new MergeControl(), System.out::println)) {
                CompletableFuture<Void> running = MergeRuns.background(job, MergeJob.Until.STOPPED);
                Fleet.await("merge streaming", Duration.ofSeconds(120), () -> jobs.state(plan.id()) == JobState.STREAMING || running.isDone());
                try (Connection c = f.connect(primary(f, "g2"))) {
                    Queries.execute(c, "ALTER TABLE " + db + ".items ADD COLUMN extra INT");
                }
                Fleet.await("job paused", Duration.ofSeconds(60), () -> jobs.state(plan.id()) == JobState.PAUSED);
                assertThat(jobs.reason(plan.id())).contains("source g2").contains("ALTER TABLE").contains("ADD COLUMN extra");
                Fleet.await("job stopped", Duration.ofSeconds(60), running::isDone);
                assertThat(running).isCompletedExceptionally();
            }
        }
    }
}
