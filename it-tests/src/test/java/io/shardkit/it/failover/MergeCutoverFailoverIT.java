package io.shardkit.it.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.catalog.Catalog;
import io.shardkit.catalog.GroupLocks;
import io.shardkit.cutover.Cutover;
import io.shardkit.cutover.MergeVerify;
import io.shardkit.failover.FailoverSettings;
import io.shardkit.failover.recovery.Recovery;
import io.shardkit.failover.recovery.RecoveryStore;
import io.shardkit.it.fixture.AckCheck;
import io.shardkit.it.fixture.AckWriter;
import io.shardkit.it.fixture.Fleet;
import io.shardkit.it.fixture.FleetShape;
import io.shardkit.it.fixture.MergeRuns;
import io.shardkit.it.fixture.Monitoring;
import io.shardkit.it.fixture.WritabilityProber;
import io.shardkit.merge.JobState;
import io.shardkit.merge.JobStore;
import io.shardkit.merge.KeyStrategy;
import io.shardkit.merge.MergeControl;
import io.shardkit.merge.MergeJob;
import io.shardkit.merge.MergeRequest;
import io.shardkit.merge.Plan;
import io.shardkit.merge.PlanJson;
import io.shardkit.merge.Planner;
import io.shardkit.mysql.Endpoint;
import io.shardkit.mysql.Queries;
import io.shardkit.sandbox.SandboxSpec;
import io.shardkit.sandbox.Users;
import io.shardkit.topology.Topology;
import io.shardkit.verify.Verifier;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A failover and a cutover meet on one group. The cutover has frozen its sources and is slow in
 * its final verify when a source primary dies: the failover waits for the cutover's lock a bounded
 * time, then takes it; the cutover finds out, aborts and unfreezes only the source it still holds;
 * the failover promotes a replica, the merge follows the new primary, and a second cutover then
 * completes. Clients write through the writer IPs all along: every acknowledged write ends up on
 * the target, the target equals the union of the sources (independent full comparison), and no
 * group ever has two writable members.
 */
@FleetShape(flavor = SandboxSpec.ServerFlavor.MARIADB, zones = 3, hostsPerZone = 1, groups = 3, replicas = 2)
class MergeCutoverFailoverIT {
    static final List<String> SOURCES = List.of("g1", "g2");
    static final String TARGET = "g3";

    @Test
    void aFailoverTakesAFrozenCutoversGroupAfterABoundedWaitAndTheCutoverAborts(Fleet f) throws Exception {
        String db = "cf";
        Topology t = f.topology();
        for (String g : SOURCES) {
            try (Connection c = f.connect(FailoverFixture.primary(f, g))) {
                Queries.execute(c, "CREATE DATABASE " + db);
                Queries.execute(c, "CREATE TABLE " + db + ".items (id BIGINT AUTO_INCREMENT PRIMARY KEY, sku VARCHAR(64) NOT NULL, qty INT NOT NULL)");
                Queries.execute(c, "INSERT INTO " + db + ".items (sku, qty) SELECT CONCAT('seed-', seq), seq FROM " + db + ".seq_1_to_2000");
            }
        }
        Plan plan = new Planner(t, f.admin(), t.credentials().stream().resolve(), Clock.systemUTC())
                .plan(new MergeRequest(db, SOURCES, TARGET, db, List.of(), KeyStrategy.SHARD_COLUMN, List.of(), "_shard"));
        StringBuilder log = new StringBuilder();
        List<AckWriter> writers = new ArrayList<>();
        List<CompletableFuture<Void>> writing = new ArrayList<>();
        try (Catalog catalog = Catalog.embedded(f.home())) {
            catalog.savePlan(plan.id(), "it", String.join(",", SOURCES), TARGET, PlanJson.write(plan));
            JobStore jobs = new JobStore(catalog);
            MergeControl control = new MergeControl();
            try (MergeJob job = new MergeJob(plan, t, f.admin(), t.credentials().stream().resolve(), jobs, f.home(), control,
                    line -> { System.out.println(line); synchronized (log) { log.append(line).append('\n'); } });
                 Monitoring monitoring = new Monitoring(f, t, catalog, List.of("g1", "g2", "g3"), FailoverSettings.defaults(f.admin()))) {
                CompletableFuture<Void> running = MergeRuns.background(job, MergeJob.Until.STOPPED);
                Fleet.await("streaming", Duration.ofSeconds(120), () -> jobs.state(plan.id()) == JobState.STREAMING || running.isDone());
                assertThat(running).isNotDone();
                WritabilityProber prober = new WritabilityProber(t, f.admin());
                CompletableFuture<Void> probing = CompletableFuture.runAsync(prober, MergeRuns.OWN_THREAD);
                for (String g : SOURCES) {
                    AckWriter w = new AckWriter("ack-" + g, f.app(), () -> new AckWriter.Route("writer", new Endpoint(t.group(g).writerIp(), 3306),
                            "INSERT INTO " + db + ".items (sku, qty) VALUES (?, 1)"), 5_000_000L);
                    writers.add(w);
                    writing.add(CompletableFuture.runAsync(w, MergeRuns.OWN_THREAD));
                }
                Fleet.await("clients writing", Duration.ofSeconds(20), () -> writers.stream().allMatch(w -> w.acknowledged.size() > 20));
                verify(plan, f, catalog);

                String old = FailoverFixture.primary(f, "g1");
                GroupLocks locks = new GroupLocks(catalog);
                Cutover first = cutover(plan, f, catalog);
                first.onStep(step -> {
                    if (!step.equals("final-verify")) return;
                    // the sources are frozen: g1's primary dies now, and this cutover is slow until the failover takes g1 from it
                    f.sandbox().killInstance(old);
                    Fleet.await("the failover takes g1 from the frozen cutover", Duration.ofSeconds(30),
                            () -> locks.holder("g1") != null && locks.holder("g1").holder().startsWith("failover:"));
                });
                Cutover.Result aborted = first.run();
                System.out.println("first cutover: " + aborted.outcome() + ": " + aborted.reason());
                assertThat(aborted.outcome()).isEqualTo(Cutover.Outcome.ABORTED);
                assertThat(aborted.reason()).contains("a failover took group g1").contains("left to the failover: g1");
                Recovery.Result r = monitoring.awaitRecovery("g1", Duration.ofSeconds(40));
                assertThat(r.outcome()).as(r.reason()).isEqualTo(Recovery.Outcome.DONE);
                var lockStep = new RecoveryStore(catalog).steps(r.id()).getFirst();
                assertThat(lockStep.stepName()).isEqualTo("lock");
                System.out.println("failover of g1: " + r.steps().stream().map(s -> s.name() + " " + s.millis() + " ms " + s.evidence()).toList());
                assertThat(r.steps().getFirst().evidence()).anySatisfy(l -> assertThat(l).contains("taken from cutover:").contains(GroupLocks.FROZEN));
                assertThat(r.steps().getFirst().millis()).as("a bounded wait").isBetween(4_000L, 15_000L);
                try (Connection c = f.connect(FailoverFixture.primary(f, "g2"))) {
                    assertThat(Queries.string(c, "SELECT @@GLOBAL.read_only")).as("g2 unfrozen by the aborted cutover").isEqualTo("0");
                }
                assertThat(jobs.state(plan.id())).isEqualTo(JobState.STREAMING);
                Fleet.await("the merge follows g1's new primary", Duration.ofSeconds(60), () -> {
                    synchronized (log) {
                        return log.toString().contains("source g1: primary moved from " + old + " to " + r.newPrimary());
                    }
                });
                Fleet.await("g1's client writing again", Duration.ofSeconds(30), () -> writers.getFirst().acknowledged.size() > 100);

                // the second cutover, on the new primary, completes; the clients stop first (no routing hook here)
                writers.forEach(AckWriter::stop);
                CompletableFuture.allOf(writing.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                job.awaitCaughtUp();
                verify(plan, f, catalog);
                Cutover.Result done = cutover(plan, f, catalog).run();
                assertThat(done.outcome()).as(done.reason()).isEqualTo(Cutover.Outcome.DONE);
                prober.stop();
                probing.get(30, TimeUnit.SECONDS);
                assertThat(prober.violations).as("two writable members in one group").isEmpty();
                List<String> tags = new ArrayList<>();
                try (Connection c = f.connect(FailoverFixture.primary(f, TARGET)); var st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT sku FROM " + db + ".items WHERE sku LIKE 'ack-%'")) {
                    while (rs.next()) tags.add(rs.getString(1));
                }
                assertThat(AckCheck.violations(writers, AckCheck.count(tags))).as("acknowledged writes on the target").isEmpty();
                control.requestStop();
                running.get(60, TimeUnit.SECONDS);
            }
        }
        assertThat(MergeRuns.compareShardColumn(f, db + ".items", "sku, qty", SOURCES, TARGET)).as("target = union of sources").isEmpty();
    }

    static void verify(Plan plan, Fleet f, Catalog catalog) throws Exception {
        try (MergeVerify v = new MergeVerify(plan, f.topology(), f.admin(), catalog, 4, System.out::println)) {
            assertThat(v.run(List.of(), true, new Verifier.Settings(1000, 3, 3)).clean()).isTrue();
        }
    }

    static Cutover cutover(Plan plan, Fleet f, Catalog catalog) {
        return new Cutover(plan, f.topology(), f.admin(), Set.of(Users.ADMIN, Users.REPLICATION, Users.STREAM), catalog,
                new Cutover.Settings(Duration.ofSeconds(2), Duration.ofMinutes(10), Duration.ofSeconds(2), io.shardkit.cutover.FreezeSteps.Sessions.KILL,
                        null, false, Verifier.Settings.DEFAULT), System.out::println);
    }
}
