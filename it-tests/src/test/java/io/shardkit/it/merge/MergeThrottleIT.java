package io.shardkit.it.merge;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.catalog.Catalog;
import io.shardkit.it.fixture.Fleet;
import io.shardkit.it.fixture.FleetShape;
import io.shardkit.merge.JobState;
import io.shardkit.merge.JobStore;
import io.shardkit.merge.KeyStrategy;
import io.shardkit.merge.MergeControl;
import io.shardkit.merge.MergeJob;
import io.shardkit.merge.MergeRequest;
import io.shardkit.merge.MergeStatus;
import io.shardkit.merge.Plan;
import io.shardkit.merge.PlanJson;
import io.shardkit.merge.Planner;
import io.shardkit.mysql.Queries;
import io.shardkit.sandbox.SandboxSpec;
import io.shardkit.shell.Main;
import io.shardkit.topology.Topology;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The copy waits while a target replica is not applying, says why in status, and goes on when it applies again. */
@FleetShape(flavor = SandboxSpec.ServerFlavor.MARIADB, zones = 3, hostsPerZone = 1, groups = 3, replicas = 1)
class MergeThrottleIT {

    static String primary(Fleet f, String g) {
        return f.discover().group(g).primary().orElseThrow();
    }

    static long copied(MergeStatus s) {
        return s.tables().stream().mapToLong(MergeStatus.TableProgress::copied).sum();
    }

    @Test
    void copyHoldsWhileATargetReplicaIsNotApplyingAndStatusSaysWhy(Fleet f) throws Exception {
        for (String g : List.of("g1", "g2")) {
            try (Connection c = f.connect(primary(f, g))) {
                Queries.execute(c, "CREATE DATABASE th");
                Queries.execute(c, "CREATE TABLE th.items (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(40))");
                c.setCatalog("th");
                Queries.execute(c, "INSERT INTO items (v) SELECT CONCAT('v', seq) FROM seq_1_to_20000");
            }
        }
        Topology t = f.topology();
        String replica = t.group("g3").instanceNames().stream().filter(i -> !i.equals(primary(f, "g3"))).findFirst().orElseThrow();
        try (Connection c = f.connect(replica)) {
            Queries.execute(c, "STOP SLAVE SQL_THREAD");
        }
        Plan plan = new Planner(t, f.admin(), t.credentials().stream().resolve(), Clock.systemUTC())
                .plan(new MergeRequest("th-1", List.of("g1", "g2"), "g3", "th", List.of(), KeyStrategy.SHARD_COLUMN, List.of(), "_shard"));
        try (Catalog catalog = Catalog.embedded(f.home())) {
            catalog.savePlan(plan.id(), "it", "g1,g2", "g3", PlanJson.write(plan));
            JobStore jobs = new JobStore(catalog);
            jobs.saveSettings(plan.id(), 1000, 50, 200);
            StringWriter out = new StringWriter();
            int code = Main.run(new PrintWriter(out, true), new PrintWriter(out, true), "merge", "throttle", plan.id(), "--max-lag", "2s", "--chunk-size", "300",
                    "--home", f.home().toString());
            assertThat(code).as(out.toString()).isZero();
            assertThat(jobs.settings(plan.id())).extracting(JobStore.Settings::maxLagMillis, JobStore.Settings::chunkSize).containsExactly(2000L, 300);

            MergeControl control = new MergeControl();
            control.chunkSize(300);
            try (MergeJob job = new MergeJob(plan, t, f.admin(), t.credentials().stream().resolve(), jobs, f.home(), control, System.out::println)) {
                CompletableFuture<Void> running = io.shardkit.it.fixture.MergeRuns.background(job, MergeJob.Until.CAUGHT_UP);
                Fleet.await("throttle reported", Duration.ofSeconds(90), () -> {
                    JobStore.Settings s = jobs.settings(plan.id());
                    return s != null && s.throttleReason() != null && s.throttleReason().contains(replica);
                });
                assertThat(jobs.settings(plan.id()).throttleReason()).isEqualTo("target replica " + replica + " is not applying (lag unknown)");
                // a chunk already past the gate may still commit: wait until the count settles
                long[] seen = {-1};
                Fleet.await("copy settled behind the gate", Duration.ofSeconds(20), () -> {
                    long now = copied(MergeStatus.read(plan, jobs, f.admin()));
                    boolean settled = now == seen[0];
                    seen[0] = now;
                    return settled;
                });
                // then an observation window, not a synchronization: while throttled the copy must not move
                long before = copied(MergeStatus.read(plan, jobs, f.admin()));
                Thread.sleep(2000);
                assertThat(copied(MergeStatus.read(plan, jobs, f.admin()))).isEqualTo(before);
                assertThat(before).isLessThan(40_000);
                assertThat(running).isNotDone();

                try (Connection c = f.connect(replica)) {
                    Queries.execute(c, "START SLAVE SQL_THREAD");
                }
                running.get(180, TimeUnit.SECONDS);
                assertThat(jobs.state(plan.id())).isEqualTo(JobState.STREAMING);
                MergeStatus done = MergeStatus.read(plan, jobs, f.admin());
                assertThat(copied(done)).isEqualTo(40_000);
                // caught up: at most the marker transaction itself, which a checkpoint taken inside it does not count yet
                assertThat(done.streams()).allSatisfy(p -> assertThat(p.transactionsBehind()).isBetween(0L, 1L));
                Fleet.await("throttle released", Duration.ofSeconds(30), () -> jobs.settings(plan.id()).throttleReason() == null);
            }

            // verify is throttled like the copy: with the merge streaming in a live process and a target replica stopped,
            // a verify waits (saying why) and finishes once the replica applies again
            MergeControl streaming = new MergeControl();
            try (MergeJob job = new MergeJob(plan, t, f.admin(), t.credentials().stream().resolve(), jobs, f.home(), streaming, System.out::println)) {
                CompletableFuture<Void> running = io.shardkit.it.fixture.MergeRuns.background(job, MergeJob.Until.STOPPED);
                Fleet.await("streaming in a live process", Duration.ofSeconds(60), () -> jobs.live(plan.id()) && jobs.state(plan.id()) == JobState.STREAMING);
                try (Connection c = f.connect(replica)) {
                    Queries.execute(c, "STOP SLAVE SQL_THREAD");
                }
                Fleet.await("throttle reported again", Duration.ofSeconds(30), () -> jobs.settings(plan.id()).throttleReason() != null);
                StringWriter vout = new StringWriter();
                CompletableFuture<Integer> verify = CompletableFuture.supplyAsync(() -> Main.run(new PrintWriter(vout, true), new PrintWriter(vout, true),
                        "merge", "verify", plan.id(), "--chunk-size", "1000", "--home", f.home().toString()), io.shardkit.it.fixture.MergeRuns.OWN_THREAD);
                try {
                    Fleet.await("verify waiting", Duration.ofSeconds(30), () -> vout.toString().contains("verify waits: target replica " + replica + " is not applying"));
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; verify printed: " + vout, e);
                }
                assertThat(verify).isNotDone();
                try (Connection c = f.connect(replica)) {
                    Queries.execute(c, "START SLAVE SQL_THREAD");
                }
                assertThat(verify.get(120, TimeUnit.SECONDS)).as(vout.toString()).isZero();
                assertThat(vout.toString()).contains("verify " + plan.id() + ": clean");
                streaming.requestStop();
                running.get(60, TimeUnit.SECONDS);
            }
        }
    }
}
