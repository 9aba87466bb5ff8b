package io.shardkit.it.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.catalog.Catalog;
import io.shardkit.endpoint.WriterIps;
import io.shardkit.failover.FailoverSettings;
import io.shardkit.failover.Monitor;
import io.shardkit.failover.recovery.Recovery;
import io.shardkit.failover.recovery.Servers;
import io.shardkit.it.fixture.AckCheck;
import io.shardkit.it.fixture.AckWriter;
import io.shardkit.it.fixture.Fleet;
import io.shardkit.it.fixture.MergeRuns;
import io.shardkit.it.fixture.Monitoring;
import io.shardkit.it.fixture.WritabilityProber;
import io.shardkit.mysql.Endpoint;
import io.shardkit.mysql.Queries;
import io.shardkit.topology.Topology;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A failover monitor watching a sandbox fleet in this JVM, with the instruments the failover tests
 * read: a client per group writing through its writer IP and remembering every acknowledged
 * write, and a prober sampling every member's writability (never two writable in one group).
 */
final class FailoverFixture implements AutoCloseable {
    final Fleet f;
    final Catalog catalog;
    final Monitoring monitoring;
    final Monitor monitor;
    final List<String> progress;
    final WritabilityProber prober;
    final List<AckWriter> writers = new ArrayList<>();
    private final List<CompletableFuture<Void>> running = new ArrayList<>();
    /** The writers' part of {@link #running} (the prober runs until {@link #stopAndCheck}). */
    private final List<CompletableFuture<Void>> writing = new ArrayList<>();
    private static final java.util.concurrent.atomic.AtomicInteger RUNS = new java.util.concurrent.atomic.AtomicInteger();
    private final String run = "r" + RUNS.incrementAndGet() + Long.toString(System.currentTimeMillis() % 1_000_000, 36);

    FailoverFixture(Fleet f, List<String> groups, FailoverSettings settings) throws Exception {
        this(f, f.topology(), groups, settings);
    }

    /** With a topology of the test's own (the sandbox's, with changed promotion rules or durability). */
    FailoverFixture(Fleet f, Topology t, List<String> groups, FailoverSettings settings) throws Exception {
        this.f = f;
        for (String g : groups) {
            try (Connection c = f.connect(primary(f, g))) {
                Queries.execute(c, "CREATE DATABASE IF NOT EXISTS fo");
                Queries.execute(c, "CREATE TABLE IF NOT EXISTS fo.acks (id BIGINT AUTO_INCREMENT PRIMARY KEY, tag VARCHAR(64) NOT NULL UNIQUE)");
            }
        }
        catalog = Catalog.embedded(f.home());
        monitoring = new Monitoring(f, t, catalog, groups, settings);
        monitor = monitoring.monitor;
        progress = monitoring.progress;
        prober = new WritabilityProber(t, f.admin());
        running.add(CompletableFuture.runAsync(prober, MergeRuns.OWN_THREAD));
        for (String g : groups) {
            Endpoint writer = new Endpoint(t.group(g).writerIp(), 3306);
            // a tag prefix of this fixture's own: fo.acks keeps earlier tests' rows, and a repeated tag would be refused
            AckWriter w = new AckWriter("ack-" + g + "-" + run, f.app(), () -> new AckWriter.Route("writer", writer, "INSERT INTO fo.acks (tag) VALUES (?)"), 20_000_000L);
            writers.add(w);
            CompletableFuture<Void> w1 = CompletableFuture.runAsync(w, MergeRuns.OWN_THREAD);
            running.add(w1);
            writing.add(w1);
        }
        try {
            Fleet.await("clients writing through the writer IPs", Duration.ofSeconds(20), () -> writers.stream().allMatch(w -> w.acknowledged.size() > 20));
        } catch (AssertionError e) {
            close(); // no caller will: the monitor, prober and clients must not outlive this test
            throw new AssertionError(e.getMessage() + "; clients saw " + writers.stream().flatMap(w -> w.errors.stream()).distinct().toList(), e);
        }
    }

    /**
     * The sandbox's topology file with changes: {@code groupSettings} per group (e.g. durability),
     * {@code promotions} per instance (prefer, must-not...). Written beside it and loaded.
     */
    @SuppressWarnings("unchecked")
    static Topology edited(Fleet f, java.util.Map<String, java.util.Map<String, Object>> groupSettings, java.util.Map<String, String> promotions) throws Exception {
        var yaml = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
        java.nio.file.Path file = f.sandbox().topologyFile();
        java.util.Map<String, Object> root = yaml.readValue(file.toFile(), java.util.LinkedHashMap.class);
        java.util.Map<String, Object> groups = (java.util.Map<String, Object>) root.get("groups");
        groupSettings.forEach((g, settings) -> ((java.util.Map<String, Object>) groups.get(g)).putAll(settings));
        for (Object g : groups.values()) {
            for (Object m : (List<Object>) ((java.util.Map<String, Object>) g).get("members")) {
                java.util.Map<String, Object> member = (java.util.Map<String, Object>) m;
                String rule = promotions.get((String) member.get("instance"));
                if (rule != null) member.put("promotion", rule);
            }
        }
        java.nio.file.Path out = file.resolveSibling("topology-test.yaml");
        yaml.writeValue(out.toFile(), root);
        return io.shardkit.topology.TopologyFile.load(out);
    }

    static String primary(Fleet f, String g) {
        return f.discover().group(g).primary().orElseThrow();
    }

    AckWriter writer(String group) {
        return writers.stream().filter(w -> w.acknowledged.stream().findFirst().map(a -> a.tag().startsWith("ack-" + group + "-")).orElse(false)).findFirst().orElseThrow();
    }

    /** Waits for the monitor to end a recovery of {@code group}; returns it. */
    Recovery.Result awaitRecovery(String group, Duration deadline) {
        return monitoring.awaitRecovery(group, deadline);
    }

    /** Stops the clients and the prober; checks every acknowledged write is on the group's primary exactly once and no group ever had two writers. */
    void stopAndCheck(List<String> groups) throws Exception {
        writers.forEach(AckWriter::stop);
        prober.stop();
        CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get();
        for (AckWriter w : writers) assertThat(w.failure()).isNull();
        List<String> tags = tagsOnPrimaries(groups);
        assertThat(AckCheck.violations(writers, AckCheck.count(tags))).as("acknowledged writes over %d rows", tags.size()).isEmpty();
        assertThat(prober.violations).as("two writable members in one group").isEmpty();
        for (String g : groups) {
            // a group whose writes were acknowledged was seen by the prober with one writable member: it is not blind
            if (writers.stream().anyMatch(w -> w.acknowledged.stream().anyMatch(a -> a.tag().startsWith("ack-" + g + "-")))) {
                assertThat(prober.soleWriterRounds.getOrDefault(g, new java.util.concurrent.atomic.AtomicLong()).get()).as("rounds with one writable member in " + g).isPositive();
            }
        }
    }

    private List<String> tagsOnPrimaries(List<String> groups) throws Exception {
        List<String> tags = new ArrayList<>();
        for (String g : groups) {
            try (Connection c = f.connect(primary(f, g)); var st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT tag FROM fo.acks")) {
                while (rs.next()) tags.add(rs.getString(1));
            }
        }
        return tags;
    }

    /**
     * Async replication (MySQL here: no semi-sync plugin): what a primary acknowledged in its last
     * moments before it was cut off may never have reached a replica, and no failover can bring it
     * back (the README's async loss case). The writes acknowledged at or after {@code sinceNanos}
     * and missing now are taken out of {@link #stopAndCheck}'s verdict and returned; a missing one
     * acknowledged earlier still fails it. Stops the writers.
     */
    List<String> forgiveAsyncLoss(List<String> groups, long sinceNanos) throws Exception {
        // stopped first: a write acknowledged after the read below would look lost
        writers.forEach(AckWriter::stop);
        CompletableFuture.allOf(writing.toArray(CompletableFuture[]::new)).get(60, java.util.concurrent.TimeUnit.SECONDS);
        java.util.Set<String> there = new java.util.HashSet<>(tagsOnPrimaries(groups));
        List<String> forgiven = new ArrayList<>();
        for (AckWriter w : writers) {
            for (AckWriter.Attempt a : List.copyOf(w.acknowledged)) {
                if (a.atNanos() >= sinceNanos && !there.contains(a.tag())) {
                    w.acknowledged.remove(a);
                    forgiven.add(a.tag());
                }
            }
        }
        return forgiven;
    }

    static boolean writerIpOn(Fleet f, String group, String instance) throws Exception {
        Topology t = f.topology();
        Topology.Host h = t.hostOf(instance);
        return WriterIps.holds(new WriterIps.Host(h.name(), h.access().exec(), h.access().device(), h.access().prefixLength()), t.group(group).writerIp());
    }

    @Override
    public void close() throws Exception {
        writers.forEach(AckWriter::stop);
        prober.stop();
        monitoring.close();
        catalog.close();
    }
}
