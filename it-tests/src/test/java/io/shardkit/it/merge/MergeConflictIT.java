package io.shardkit.it.merge;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.catalog.Catalog;
import io.shardkit.it.fixture.Fleet;
import io.shardkit.it.fixture.FleetShape;
import io.shardkit.it.fixture.MergeRuns;
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
import org.junit.jupiter.api.Test;

/**
 * A collision the application creates after planning never overwrites the row another source
 * owns: the apply stops, the collision lands in _shardkit.conflicts and the job in CONFLICT with a
 * message naming the key; the other source's row on the target is untouched.
 */
@FleetShape(flavor = SandboxSpec.ServerFlavor.MARIADB, zones = 3, hostsPerZone = 1, groups = 3, replicas = 0)
class MergeConflictIT {

    static String primary(Fleet f, String g) {
        return f.discover().group(g).primary().orElseThrow();
    }

    void seed(Fleet f, String db, String group, long firstId, String skuPrefix) throws Exception {
        try (Connection c = f.connect(primary(f, group))) {
            Queries.execute(c, "CREATE DATABASE " + db);
            Queries.execute(c, "CREATE TABLE " + db + ".items (id BIGINT AUTO_INCREMENT PRIMARY KEY, sku VARCHAR(32) NOT NULL, qty INT NOT NULL, UNIQUE KEY sku (sku))"
                    + " AUTO_INCREMENT=" + firstId);
            c.setCatalog(db);
            Queries.execute(c, "INSERT INTO items (sku, qty) SELECT CONCAT('" + skuPrefix + "', seq), seq FROM seq_1_to_100");
        }
    }

    /** Starts the merge, makes the collision on g2, and returns the job's reason once it is in CONFLICT. */
    String collide(Fleet f, String db, KeyStrategy strategy, String collidingInsert) throws Exception {
        return collide(f, db, strategy, collidingInsert, false);
    }

    /** @param beforeStart make the collision after planning but before the merge starts, so the copy meets it */
    String collide(Fleet f, String db, KeyStrategy strategy, String collidingInsert, boolean beforeStart) throws Exception {
        Topology t = f.topology();
        Plan plan = new Planner(t, f.admin(), t.credentials().stream().resolve(), Clock.systemUTC())
                .plan(new MergeRequest(db, List.of("g1", "g2"), "g3", db, List.of(), strategy, List.of(), "_shard"));
        try (Catalog catalog = Catalog.embedded(f.home())) {
            catalog.savePlan(plan.id(), "it", "g1,g2", "g3", PlanJson.write(plan));
            JobStore jobs = new JobStore(catalog);
            if (beforeStart) {
                try (Connection c = f.connect(primary(f, "g2"))) {
                    Queries.execute(c, collidingInsert.replace("DB", db));
                }
            }
            try (MergeJob job = new MergeJob(plan, t, f.admin(), t.credentials().stream().resolve(), jobs, f.home(), new MergeControl(), System.out::println)) {
                CompletableFuture<Void> running = MergeRuns.background(job, MergeJob.Until.STOPPED);
                if (!beforeStart) {
                    Fleet.await("streaming", Duration.ofSeconds(60), () -> jobs.state(plan.id()) == JobState.STREAMING || running.isDone());
                    try (Connection c = f.connect(primary(f, "g2"))) {
                        Queries.execute(c, collidingInsert.replace("DB", db));
                    }
                }
                Fleet.await("conflict", Duration.ofSeconds(60), () -> jobs.state(plan.id()) == JobState.CONFLICT);
                assertThat(running).failsWithin(Duration.ofSeconds(30));
                return jobs.reason(plan.id());
            }
        }
    }

    @Test
    void aSecondaryUniqueValueTakenFromAnotherSourceStopsTheMergeInConflict(Fleet f) throws Exception {
        seed(f, "cf_offset", "g1", 1, "a");
        seed(f, "cf_offset", "g2", 1, "b");
        String reason = collide(f, "cf_offset", KeyStrategy.OFFSET, "INSERT INTO DB.items (sku, qty) VALUES ('a5', 999)");
        assertThat(reason).contains("unique key sku").contains("\"a5\"").contains("the row g1 owns");
        try (Connection c = f.connect(primary(f, "g3"))) {
            assertThat(Queries.string(c, "SELECT CONCAT(id, ':', qty) FROM cf_offset.items WHERE sku = 'a5'")).isEqualTo("5:5");
            assertThat(Queries.string(c, "SELECT COUNT(*) FROM _shardkit.conflicts WHERE job_id = 'cf_offset' AND source = 'g2'")).isEqualTo("1");
        }
    }

    @Test
    void aPrimaryKeyInsertedOnTwoSourcesUnderRejectStopsTheMergeInConflict(Fleet f) throws Exception {
        seed(f, "cf_reject", "g1", 1, "a");
        seed(f, "cf_reject", "g2", 1_000_000, "b");
        String reason = collide(f, "cf_reject", KeyStrategy.REJECT, "INSERT INTO DB.items (id, sku, qty) VALUES (50, 'b-new', 999)");
        assertThat(reason).contains("primary key").contains("[50]").contains("the row g1 owns");
        try (Connection c = f.connect(primary(f, "g3"))) {
            assertThat(Queries.string(c, "SELECT CONCAT(sku, ':', qty) FROM cf_reject.items WHERE id = 50")).isEqualTo("a50:50");
        }
    }

    @Test
    void theCopyMeetingAUniqueValueAnotherSourceHoldsStopsInConflictInsteadOfSkippingTheRow(Fleet f) throws Exception {
        seed(f, "cf_copy", "g1", 1, "a");
        seed(f, "cf_copy", "g2", 1, "b");
        String reason = collide(f, "cf_copy", KeyStrategy.OFFSET, "INSERT INTO DB.items (sku, qty) VALUES ('a7', 999)", true);
        // the two sources copy in parallel: whichever reaches the target second finds the other's row
        assertThat(reason).contains("unique key sku").contains("\"a7\"").containsAnyOf("the row g1 owns", "the row g2 owns");
        try (Connection c = f.connect(primary(f, "g3"))) {
            assertThat(Queries.string(c, "SELECT COUNT(*) FROM _shardkit.conflicts WHERE job_id = 'cf_copy'")).isEqualTo("1");
            assertThat(Queries.string(c, "SELECT COUNT(*) FROM cf_copy.items WHERE sku = 'a7'")).isEqualTo("1");
        }
    }
    /**
     * The race the guard's locking reads close: g1's apply has inserted a unique value on the target
     * and not committed yet when g2's apply writes the same value. A plain read would see no holder
     * and the upsert, after waiting for g1, would overwrite g1's row; the locking read waits, sees
     * g1's row, and stops the merge in CONFLICT with g1's row intact.
     */
    @Test
    void twoSourcesWritingTheSameUniqueValueAtOnceStopInConflictWithoutOverwriting(Fleet f) throws Exception {
        String db = "cf_race";
        seed(f, db, "g1", 1, "a");
        seed(f, db, "g2", 1, "b");
        Topology t = f.topology();
        Plan plan = new Planner(t, f.admin(), t.credentials().stream().resolve(), Clock.systemUTC())
                .plan(new MergeRequest(db, List.of("g1", "g2"), "g3", db, List.of(), KeyStrategy.OFFSET, List.of(), null));
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
        MergeControl control = new MergeControl();
        control.onStage(stage -> {
            if (stage.equals("stream.before-commit.g1") && armed.compareAndSet(true, false)) {
                held.countDown();
                try {
                    release.await(60, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        try (Catalog catalog = Catalog.embedded(f.home())) {
            catalog.savePlan(plan.id(), "it", "g1,g2", "g3", PlanJson.write(plan));
            JobStore jobs = new JobStore(catalog);
            try (MergeJob job = new MergeJob(plan, t, f.admin(), t.credentials().stream().resolve(), jobs, f.home(), control, System.out::println)) {
                CompletableFuture<Void> running = MergeRuns.background(job, MergeJob.Until.STOPPED);
                Fleet.await("streaming", Duration.ofSeconds(60), () -> jobs.state(plan.id()) == JobState.STREAMING || running.isDone());
                armed.set(true);
                try (Connection c = f.connect(primary(f, "g1"))) {
                    Queries.execute(c, "INSERT INTO " + db + ".items (sku, qty) VALUES ('race', 1)");
                }
                assertThat(held.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("g1's apply holds its uncommitted insert").isTrue();
                try (Connection c = f.connect(primary(f, "g2"))) {
                    Queries.execute(c, "INSERT INTO " + db + ".items (sku, qty) VALUES ('race', 2)");
                }
                try (Connection c = f.connect(primary(f, "g3"))) {
                    // polled every 200 ms: InnoDB refreshes INNODB_TRX only when it was last read more than 100 ms ago
                    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    while (Long.parseLong(Queries.string(c, "SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'")) == 0) {
                        assertThat(System.nanoTime()).as("g2's apply waiting on g1's uncommitted row within 30 s").isLessThan(deadline);
                        Thread.sleep(200);
                    }
                }
                release.countDown();
                Fleet.await("conflict", Duration.ofSeconds(60), () -> jobs.state(plan.id()) == JobState.CONFLICT);
                assertThat(jobs.reason(plan.id())).contains("unique key sku").contains("\"race\"").contains("the row g1 owns");
                assertThat(running).failsWithin(Duration.ofSeconds(30));
            } finally {
                release.countDown();
            }
        }
        try (Connection c = f.connect(primary(f, "g3"))) {
            assertThat(Queries.string(c, "SELECT qty FROM " + db + ".items WHERE sku = 'race'")).as("g1's row, not overwritten by g2's").isEqualTo("1");
        }
    }
}
