package io.shardkit.it.merge;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.catalog.Catalog;
import io.shardkit.it.fixture.Fleet;
import io.shardkit.it.fixture.FreezableProxy;
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
import io.shardkit.topology.Topology;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A source's binlog connection dies silently (no FIN, no RST) while the source stays reachable:
 * the stream hears nothing, not even the server's heartbeats, and the job replaces it within
 * seconds, losing nothing (independent full comparison). No binlog-client thread of the dead
 * connection outlives the job. Both flavors: each connector must deliver the server's heartbeats.
 */
abstract class MergeStreamStallScenarios {

    static String primary(Fleet f, String g) {
        return f.discover().group(g).primary().orElseThrow();
    }

    static long count(Fleet f, String group, String sql) throws Exception {
        try (Connection c = f.connect(primary(f, group))) {
            return Long.parseLong(Queries.string(c, sql));
        }
    }

    static void insert(Fleet f, String group, int from, int to) throws Exception {
        try (Connection c = f.connect(primary(f, group))) {
            c.setCatalog("stall");
            // a VALUES list, not MariaDB's seq tables: the same statement on MySQL
            StringBuilder sql = new StringBuilder("INSERT INTO items (sku, qty) VALUES ");
            for (int i = from; i <= to; i++) sql.append(i == from ? "" : ",").append("('").append(group).append('-').append(i).append("', ").append(i).append(')');
            Queries.execute(c, sql.toString());
        }
    }

    @Test
    void aStreamWhoseConnectionDiesSilentlyIsReplacedAndLosesNothing(Fleet f) throws Exception {
        for (String g : List.of("g1", "g2")) {
            try (Connection c = f.connect(primary(f, g))) {
                Queries.execute(c, "CREATE DATABASE stall");
                Queries.execute(c, "CREATE TABLE stall.items (id BIGINT AUTO_INCREMENT PRIMARY KEY, sku VARCHAR(32) NOT NULL, qty INT NOT NULL)");
            }
            insert(f, g, 1, 2000);
        }
        Topology real = f.topology();
        String p1 = primary(f, "g1");
        try (FreezableProxy proxy = new FreezableProxy(real.instance(p1).endpoint())) {
            // the job reaches g1 only through the proxy: its stream, its pool, its probes
            Map<String, Topology.Instance> instances = new LinkedHashMap<>(real.instances());
            Topology.Instance i = instances.get(p1);
            instances.put(p1, new Topology.Instance(i.name(), i.host(), proxy.host(), proxy.port()));
            Topology t = new Topology(real.source(), real.zones(), real.hosts(), instances, real.groups(), real.credentials());
            Plan plan = new Planner(t, f.admin(), t.credentials().stream().resolve(), Clock.systemUTC())
                    .plan(new MergeRequest("stall-1", List.of("g1", "g2"), "g3", "stall", List.of(), KeyStrategy.SHARD_COLUMN, List.of(), "_shard"));
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
                    insert(f, "g1", 2001, 2100);
                    Fleet.await("g1's stream applying through the proxy", Duration.ofSeconds(30), () -> rows(f) == 4100);
                    // idle for longer than the silence limit (watched throughout): a live connection's heartbeats keep it
                    long idleUntil = System.nanoTime() + io.shardkit.merge.stream.BinlogStream.SILENCE.plusSeconds(3).toNanos();
                    while (System.nanoTime() < idleUntil) {
                        synchronized (log) {
                            assertThat(log.toString()).as("an idle, live stream was taken for dead").doesNotContain("died silently");
                        }
                        Thread.sleep(250);
                    }

                    proxy.freezeExisting();
                    assertThat(proxy.frozenCount()).isPositive();
                    insert(f, "g1", 2101, 2300); // straight to g1, which stays reachable: only the old connections are dead
                    Fleet.await("g1's stream replaced and its rows applied", Duration.ofSeconds(60), () -> rows(f) == 4300);
                    synchronized (log) {
                        assertThat(log.toString()).contains("stream g1: nothing from its source for").contains("died silently): reconnecting");
                    }
                    control.requestStop();
                    running.get(60, TimeUnit.SECONDS);
                }
            }
        }
        assertThat(MergeRuns.compareShardColumn(f, "stall.items", "sku, qty", List.of("g1", "g2"), "g3")).isEmpty();
        // without the binlog client's own keepalive, nothing of the dead connection keeps retrying after the job
        assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName).filter(n -> n.startsWith("blc-keepalive")).toList()).isEmpty();
    }

    static long rows(Fleet f) {
        try {
            return count(f, "g3", "SELECT COUNT(*) FROM stall.items");
        } catch (Exception e) {
            return -1;
        }
    }
}
