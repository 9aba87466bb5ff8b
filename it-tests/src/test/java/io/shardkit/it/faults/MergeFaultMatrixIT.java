package io.shardkit.it.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.shardkit.catalog.Catalog;
import io.shardkit.failover.FailoverSettings;
import io.shardkit.failover.recovery.Recovery;
import io.shardkit.it.fixture.AckCheck;
import io.shardkit.it.fixture.AckWriter;
import io.shardkit.it.fixture.Fleet;
import io.shardkit.it.fixture.FleetShape;
import io.shardkit.it.fixture.MergeRuns;
import io.shardkit.it.fixture.Rejoin;
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
import io.shardkit.mysql.Queries;
import io.shardkit.sandbox.SandboxSpec;
import io.shardkit.topology.Topology;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Fault matrix of a running merge (each case prints what it checked): a source primary's host
 * dies, the target primary's host dies, the manager loses the fleet, a zone is cut off, a source
 * primary stalls behind a long-held lock, the target's link is congested. Clients write unique,
 * recorded rows through each source group's current primary all along; afterwards every write a
 * server acknowledged must be on the target exactly once, the target must equal the union of the
 * sources (independent full comparison), and an independent prober must never have seen two
 * writable members in one group. When a primary's host dies, shardkit's failover monitor (running
 * beside the merge, as the daemon would) promotes a surviving replica, and the merge must follow
 * it. Groups have two replicas: with semi-sync durability a new primary needs a replica left to
 * acknowledge its writes. Source-side faults pick their
 * source from a seed that every case prints; -Dfaults.seed repeats a run.
 */
@FleetShape(flavor = SandboxSpec.ServerFlavor.MARIADB, zones = 3, hostsPerZone = 2, groups = 3, replicas = 2)
class MergeFaultMatrixIT {
    static final List<String> SOURCES = List.of("g1", "g2");
    static final String TARGET = "g3";
    /** Which source each source-side fault hits; -Dfaults.seed=N repeats a run (every case prints it). */
    static final long SEED = Long.getLong("faults.seed", System.nanoTime());

    /** The source a source-side case faults, drawn from the seed and the case's name. */
    static String victim(String caseName) {
        String g = SOURCES.get(new java.util.Random(SEED ^ caseName.hashCode()).nextInt(SOURCES.size()));
        System.out.println("seed " + SEED + " (-Dfaults.seed=" + SEED + " repeats it): case " + caseName + " faults source " + g);
        return g;
    }

    static String primary(Fleet f, String g) {
        return f.discover().group(g).primary().orElseThrow();
    }

    /** The merge, its clients and the prober, for one case. */
    static final class Run implements AutoCloseable {
        final Fleet f;
        final String db;
        final Plan plan;
        final Catalog catalog;
        final JobStore jobs;
        final MergeControl control = new MergeControl();
        final MergeJob job;
        final CompletableFuture<Void> running;
        final StringBuilder log = new StringBuilder();
        final Map<String, String> writerOf = new ConcurrentHashMap<>();
        final List<AckWriter> writers = new ArrayList<>();
        final List<CompletableFuture<Void>> writing = new ArrayList<>();
        final WritabilityProber prober;
        final CompletableFuture<Void> probing;
        final ExecutorService threads = Executors.newCachedThreadPool();
        /** shardkit's failover monitor on every group, for the cases that need a failover. */
        Monitoring monitoring;

        Run(Fleet f, String db) throws Exception {
            this.f = f;
            this.db = db;
            for (String g : SOURCES) {
                try (Connection c = f.connect(primary(f, g))) {
                    Queries.execute(c, "CREATE DATABASE " + db);
                    Queries.execute(c, "CREATE TABLE " + db + ".items (id BIGINT AUTO_INCREMENT PRIMARY KEY, sku VARCHAR(64) NOT NULL, qty INT NOT NULL)");
                    Queries.execute(c, "INSERT INTO " + db + ".items (sku, qty) SELECT CONCAT('seed-', seq), seq FROM " + db + ".seq_1_to_2000");
                }
                writerOf.put(g, primary(f, g));
            }
            Topology t = f.topology();
            plan = new Planner(t, f.admin(), t.credentials().stream().resolve(), Clock.systemUTC())
                    .plan(new MergeRequest(db, SOURCES, TARGET, db, List.of(), KeyStrategy.SHARD_COLUMN, List.of(), "_shard"));
            catalog = Catalog.embedded(f.home());
            catalog.savePlan(plan.id(), "it", String.join(",", SOURCES), TARGET, PlanJson.write(plan));
            jobs = new JobStore(catalog);
            job = new MergeJob(plan, t, f.admin(), t.credentials().stream().resolve(), jobs, f.home(), control,
                    line -> { System.out.println(line); synchronized (log) { log.append(line).append('\n'); } });
            running = MergeRuns.background(job, MergeJob.Until.STOPPED);
            try {
                Fleet.await("streaming", Duration.ofSeconds(120), () -> jobs.state(plan.id()) == JobState.STREAMING || running.isDone());
            } catch (AssertionError e) {
                String said;
                synchronized (log) {
                    said = log.length() > 2000 ? log.substring(log.length() - 2000) : log.toString();
                }
                throw new AssertionError(e.getMessage() + "; job state " + jobs.state(plan.id()) + ", its last lines:\n" + said, e);
            }
            assertThat(running).isNotDone();
            prober = new WritabilityProber(t, f.admin());
            probing = CompletableFuture.runAsync(prober, threads);
            for (String g : SOURCES) {
                AckWriter w = new AckWriter("ack-" + g, f.app(), () -> new AckWriter.Route(writerOf.get(g), t.instance(writerOf.get(g)).endpoint(),
                        "INSERT INTO " + db + ".items (sku, qty) VALUES (?, 1)"), 2_000_000);
                writers.add(w);
                writing.add(CompletableFuture.runAsync(w, threads));
            }
            Fleet.await("clients writing", Duration.ofSeconds(10), () -> writers.stream().allMatch(w -> w.acknowledged.size() > 50));
        }

        /** Waits for more acknowledged writes from every client: the system works again. */
        void awaitWrites(int more) {
            int[] before = writers.stream().mapToInt(w -> w.acknowledged.size()).toArray();
            Fleet.await("clients acknowledged again", Duration.ofSeconds(60), () -> {
                for (int i = 0; i < writers.size(); i++) if (writers.get(i).acknowledged.size() < before[i] + more) return false;
                return true;
            });
        }

        /** Stops the clients, waits until the merge has everything, and runs every check; returns what was checked. */
        String check() throws Exception {
            writers.forEach(AckWriter::stop);
            CompletableFuture.allOf(writing.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            job.awaitCaughtUp();
            prober.stop();
            probing.get(30, TimeUnit.SECONDS);
            assertThat(running).as("the merge kept running").isNotDone();
            List<String> tags = new ArrayList<>();
            try (Connection c = f.connect(primary(f, TARGET)); var st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT sku FROM " + db + ".items WHERE sku LIKE 'ack-%'")) {
                while (rs.next()) tags.add(rs.getString(1));
            }
            assertThat(AckCheck.violations(writers, AckCheck.count(tags))).as("acknowledged writes on the target").isEmpty();
            assertThat(MergeRuns.compareShardColumn(f, db + ".items", "sku, qty", SOURCES, TARGET)).as("target = union of sources").isEmpty();
            assertThat(prober.violations).as("two writable primaries in a group").isEmpty();
            assertThat(prober.healthyRounds.get()).isPositive();
            long acked = writers.stream().mapToLong(w -> w.acknowledged.size()).sum();
            return acked + " acknowledged writes all on the target exactly once, target = union of sources, " + prober.rounds.get()
                    + " prober rounds without two writable primaries";
        }

        /** Starts shardkit's failover monitor on every group of the merge. */
        void monitor() {
            List<String> groups = new ArrayList<>(SOURCES);
            groups.add(TARGET);
            monitoring = new Monitoring(f, f.topology(), catalog, groups, FailoverSettings.defaults(f.admin()));
        }

        @Override
        public void close() throws Exception {
            if (monitoring != null) monitoring.close();
            writers.forEach(AckWriter::stop);
            prober.stop();
            control.requestStop();
            try {
                running.get(60, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // the case already failed or finished
            }
            job.close();
            catalog.close();
            threads.shutdownNow();
        }
    }

    @Test
    void aSourcePrimarysHostDiesMidStream(Fleet f) throws Exception {
        primaryHostDiesMidStream(f, "fm_src", "source", () -> victim("source-host-killed"));
    }

    @Test
    void theTargetPrimarysHostDiesMidStream(Fleet f) throws Exception {
        primaryHostDiesMidStream(f, "fm_tgt", "target", () -> TARGET);
    }

    /**
     * kill -9 of the host under a group's primary while the merge streams under client writes;
     * shardkit's failover promotes the survivor and the merge must follow it (a source's stream resumes there by
     * GTID; the apply moves to the target's new primary) with every acknowledged write checked.
     * The group is chosen once the case's merge runs (a seeded pick for a source).
     */
    private void primaryHostDiesMidStream(Fleet f, String db, String role, java.util.function.Supplier<String> group) throws Exception {
        assumeTrue(f.netns(), "killing a host needs network namespaces (run as root)");
        try (Run r = new Run(f, db)) {
            r.monitor();
            String g = group.get();
            String dead = primary(f, g);
            String host = f.topology().instance(dead).host();
            System.out.println("fault: kill -9 of host " + host + " (primary " + dead + " of " + role + " " + g + ")");
            f.sandbox().killHost(host);
            try {
                Recovery.Result rec = r.monitoring.awaitRecovery(g, Duration.ofSeconds(60));
                assertThat(rec.outcome()).as(rec.reason()).isEqualTo(Recovery.Outcome.DONE);
                String now = rec.newPrimary();
                System.out.println("failover of " + g + ": " + rec.steps().stream().map(s -> s.name() + " " + s.millis() + " ms").toList());
                if (role.equals("source")) r.writerOf.put(g, now); // the clients of that source write to its new primary
                r.awaitWrites(50);
                String checked = r.check();
                synchronized (r.log) {
                    assertThat(r.log.toString()).contains(role + " " + g + ": primary moved from " + dead + " to " + now);
                }
                System.out.println("checked (" + role + " primary host killed): " + checked);
            } finally {
                // back even when the case failed, the old primary a replica again: the other cases share the fleet, its
                // other groups have members on that host, and a semi-sync group one replica short stops when it loses another
                f.sandbox().startHost(host);
                Rejoin.discardingUnacknowledged(f, f.topology(), r.catalog, dead);
            }
        }
    }

    @Test
    void theManagerLosesTheFleetThenHeals(Fleet f) throws Exception {
        assumeTrue(f.netns(), "partitions need network namespaces (run as root)");
        try (Run r = new Run(f, "fm_mgr")) {
            System.out.println("fault: the manager is partitioned from every host for 5 s");
            partitionedForFiveSeconds(f, () -> f.sandbox().partitionManager());
            r.awaitWrites(50);
            String checked = r.check();
            System.out.println("checked (manager partitioned, healed): " + checked);
        }
    }

    /** Makes a partition, holds it 5 s (the fault's duration, not a synchronization: the clients keep writing), heals. */
    private static void partitionedForFiveSeconds(Fleet f, Runnable partition) throws InterruptedException {
        partition.run();
        try {
            Thread.sleep(5000);
        } finally {
            f.sandbox().heal();
        }
    }

    @Test
    void aZoneIsCutOffThenHeals(Fleet f) throws Exception {
        assumeTrue(f.netns(), "partitions need network namespaces (run as root)");
        try (Run r = new Run(f, "fm_zone")) {
            String g = victim("zone-partitioned");
            String zone = f.topology().zoneOf(primary(f, g));
            System.out.println("fault: zone " + zone + " (with the primary of source " + g + ") cut off for 5 s");
            partitionedForFiveSeconds(f, () -> f.sandbox().partitionZone(zone));
            r.awaitWrites(50);
            String checked = r.check();
            System.out.println("checked (zone partitioned, healed): " + checked);
        }
    }

    @Test
    void aSourcePrimaryStallsBehindALongHeldLock(Fleet f) throws Exception {
        try (Run r = new Run(f, "fm_slow")) {
            String g = victim("slow-primary");
            System.out.println("fault: the primary of source " + g + " holds a global read lock for 5 s (every write there waits)");
            try (Connection c = f.connect(primary(f, g))) {
                Queries.execute(c, "FLUSH TABLES WITH READ LOCK");
                try {
                    Thread.sleep(5000); // the fault's duration
                } finally {
                    Queries.execute(c, "UNLOCK TABLES");
                }
            }
            r.awaitWrites(50);
            String checked = r.check();
            System.out.println("checked (source primary stalled by a lock): " + checked);
        }
    }

    /**
     * A congested link to the target primary. This machine's kernel has no netem, so no fixed delay
     * or random loss: the link is limited to 512 kbit/s (tc tbf), queueing up to 200 ms and dropping
     * beyond, which delays and drops under the merge's load.
     */
    @Test
    void theTargetsLinkIsCongested(Fleet f) throws Exception {
        assumeTrue(f.netns(), "link impairment needs network namespaces (run as root)");
        try (Run r = new Run(f, "fm_link")) {
            String host = f.topology().instance(primary(f, TARGET)).host();
            System.out.println("fault: host " + host + " (target primary) link limited to 512 kbit/s, queue 200 ms, for 5 s");
            f.sandbox().limitHost(host, 512, 200);
            try {
                r.awaitWrites(20); // the merge keeps applying through the bad link
                Thread.sleep(5000);
            } finally {
                f.sandbox().heal();
            }
            String checked = r.check();
            System.out.println("checked (target link congested): " + checked);
        }
    }
}
