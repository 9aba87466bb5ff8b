package io.shardkit.it.bench;

import static io.shardkit.it.bench.Bench.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardkit.catalog.Catalog;
import io.shardkit.failover.FailoverSettings;
import io.shardkit.failover.Failovers;
import io.shardkit.failover.recovery.RecoveryStore;
import io.shardkit.failover.recovery.Servers;
import io.shardkit.failover.recovery.Switchover;
import io.shardkit.it.fixture.AckCheck;
import io.shardkit.it.fixture.AckWriter;
import io.shardkit.it.fixture.Fleet;
import io.shardkit.it.fixture.Rejoin;
import io.shardkit.it.fixture.MergeRuns;
import io.shardkit.mysql.Endpoint;
import io.shardkit.mysql.Queries;
import io.shardkit.topology.Topology;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The failover benchmark's moves on one fleet watched by {@code shardkit failover monitor} in its
 * own process (as an operator runs it): a fault, the clients that see it through the writer IPs,
 * the figures read back from the journal, and the repair that readies the fleet for the next run
 * (the old primary restarted and rejoined, the recovery acknowledged for anti-flap).
 */
final class FailoverRuns implements AutoCloseable {
    /** One group's failover as a client and the journal saw it. */
    record Sample(String group, long killToWritableMillis, long detectMillis, long confirmMillis, Map<String, Long> steps, long acknowledged) {}

    private static final Pattern FIRST_SEEN = Pattern.compile("first seen failing at (\\S+), confirmed (\\d+) ms later");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Fleet f;
    final Topology topology;
    private final Catalog catalog;
    private final Process monitor;
    private int run;

    /** Starts the monitor on every group of {@code topology} (the sandbox's, possibly with edited group settings). */
    FailoverRuns(Fleet f, Path topologyFile, Topology topology) throws Exception {
        this(f, topology, topologyFile);
    }

    /** The fleet's repairs and clients without shardkit's monitor (while a peer manages a group). */
    static FailoverRuns withoutMonitor(Fleet f, Topology topology) throws Exception {
        return new FailoverRuns(f, topology, null);
    }

    private FailoverRuns(Fleet f, Topology topology, Path topologyFile) throws Exception {
        this.f = f;
        this.topology = topology;
        for (String g : topology.groups().keySet()) {
            try (Connection c = f.connect(primary(f, g))) {
                Queries.execute(c, "CREATE DATABASE IF NOT EXISTS fo");
                Queries.execute(c, "CREATE TABLE IF NOT EXISTS fo.acks (id BIGINT AUTO_INCREMENT PRIMARY KEY, tag VARCHAR(64) NOT NULL UNIQUE)");
            }
        }
        catalog = Catalog.embedded(f.home());
        if (topologyFile == null) {
            monitor = null;
            return;
        }
        Path log = dir().resolve("failover-monitor.log");
        java.nio.file.Files.deleteIfExists(log);
        monitor = run(log, shardkit(f, "failover", "monitor", "--topology", topologyFile.toString()), Map.of());
        long rounds0 = System.nanoTime();
        // watching once it has said so of every group
        Fleet.await("the monitor watching every group", Duration.ofSeconds(60), () -> {
            try {
                return java.nio.file.Files.readString(log).lines().filter(l -> l.contains(": watching primary")).count() >= topology.groups().size() || !monitor.isAlive();
            } catch (java.io.IOException e) {
                return false;
            }
        });
        assertThat(monitor.isAlive()).as("failover monitor running (see failover-monitor.log)").isTrue();
        System.out.printf("monitor up in %.1f s%n", (System.nanoTime() - rounds0) / 1e9);
    }

    /** A client per group writing a unique row every 20 ms through the group's writer IP. */
    List<AckWriter> clients(List<String> groups, long pauseNanos) {
        run++;
        List<AckWriter> out = new ArrayList<>();
        for (String g : groups) {
            Endpoint writer = new Endpoint(topology.group(g).writerIp(), 3306);
            AckWriter w = new AckWriter("b" + run + "-" + g, f.app(), () -> new AckWriter.Route("w", writer, "INSERT INTO fo.acks (tag) VALUES (?)"), pauseNanos);
            out.add(w);
            CompletableFuture.runAsync(w, MergeRuns.OWN_THREAD);
        }
        Fleet.await("clients writing", Duration.ofSeconds(30), () -> out.stream().allMatch(w -> w.acknowledged.size() > 10));
        return out;
    }

    /**
     * kill -9 of the group's primary while its client writes; with {@code lagging}, the replicas' IO
     * threads are stopped first and the client gets 25 more writes acknowledged that no replica has
     * (an async group: they exist only in the dead primary's binary log, so salvage must find them).
     */
    Sample killPrimary(String group, boolean lagging) throws Exception {
        String old = primary(f, group);
        AckWriter w = clients(List.of(group), 20_000_000L).getFirst();
        if (lagging) {
            // an async group: its primary must not wait for acknowledgements once no replica receives
            try (Connection c = f.connect(old)) {
                Queries.execute(c, "SET GLOBAL rpl_semi_sync_master_enabled = OFF");
            }
            for (String m : topology.group(group).instanceNames()) {
                if (m.equals(old)) continue;
                try (Connection c = f.connect(m)) {
                    Queries.execute(c, "STOP SLAVE IO_THREAD");
                }
            }
            int before = w.acknowledged.size();
            Fleet.await("writes no replica receives", Duration.ofSeconds(20), () -> w.acknowledged.size() > before + 25);
        }
        Instant killedAt = Instant.now();
        long killed = System.nanoTime();
        f.sandbox().killInstance(old);
        RecoveryStore.Row row = awaitRecovery(group, killedAt);
        Fleet.await(group + "'s client writing again", Duration.ofSeconds(30), () -> w.backAfterOutage(killed) > 0);
        long writable = (w.backAfterOutage(killed) - killed) / 1_000_000;
        long acked = check(List.of(w), row.newPrimary());
        Sample s = sample(group, row, killedAt, writable, acked);
        rejoin(old);
        return s;
    }

    /**
     * kill -9 of a whole host while each group's client writes; every group whose primary was there
     * must fail over. Returns one sample per such group; the host comes back (without its writer
     * IPs, as after a reboot) and its old primaries rejoin.
     */
    List<Sample> killHost(String host) throws Exception {
        List<String> hit = new ArrayList<>();
        Map<String, String> old = new LinkedHashMap<>();
        for (String g : topology.groups().keySet()) {
            String p = primary(f, g);
            if (topology.hostOf(p).name().equals(host)) {
                hit.add(g);
                old.put(g, p);
            }
        }
        List<AckWriter> ws = clients(hit, 20_000_000L);
        Instant killedAt = Instant.now();
        long killed = System.nanoTime();
        f.sandbox().killHost(host);
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < hit.size(); i++) {
            String g = hit.get(i);
            AckWriter w = ws.get(i);
            RecoveryStore.Row row = awaitRecovery(g, killedAt);
            Fleet.await(g + "'s client writing again", Duration.ofSeconds(30), () -> w.backAfterOutage(killed) > 0);
            long writable = (w.backAfterOutage(killed) - killed) / 1_000_000;
            out.add(sample(g, row, killedAt, writable, 0));
        }
        for (int i = 0; i < hit.size(); i++) check(List.of(ws.get(i)), primary(f, hit.get(i)));
        f.sandbox().startHost(host);
        for (String p : old.values()) rejoin(p);
        return out;
    }

    /** {@code failover switchover GROUP} in its own JVM under a client writing every 2 ms: the block it reports and the gap the client saw. */
    long[] switchover(String group) throws Exception {
        AckWriter w = clients(List.of(group), 2_000_000L).getFirst();
        Path out = dir().resolve("switchover-" + run + ".out");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(shardkit(f, "failover", "switchover", group, "--max-block", "2s")).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        String printed = java.nio.file.Files.readString(out);
        assertThat(p.exitValue()).as(printed).isZero();
        int before = w.acknowledged.size();
        Fleet.await("client writing after the switchover", Duration.ofSeconds(20), () -> w.acknowledged.size() > before + 50);
        Matcher m = Pattern.compile("writes blocked for (\\d+) ms").matcher(printed);
        assertThat(m.find()).as(printed).isTrue();
        check(List.of(w), primary(f, group));
        return new long[] {Long.parseLong(m.group(1)), largestGap(w, t0) / 1_000_000};
    }

    /** The longest time between two acknowledged writes after {@code from}. */
    static long largestGap(AckWriter w, long from) {
        long last = -1;
        long max = 0;
        for (AckWriter.Attempt a : w.acknowledged) {
            if (a.atNanos() < from) continue;
            if (last >= 0) max = Math.max(max, a.atNanos() - last);
            last = a.atNanos();
        }
        return max;
    }

    /** Puts the group's primary on {@code instance} (a switchover in this JVM, not measured): arranging a host's load. */
    void primaryOn(String group, String instance) throws Exception {
        if (primary(f, group).equals(instance)) return;
        // a member that rejoined after a host kill applies what it missed first: a switchover to a lagging replica is refused
        Fleet.await(instance + " caught up in " + group, Duration.ofSeconds(120), () -> {
            var st = f.discover().state(instance);
            return st.replica() != null && st.replica().healthy() && st.replica().secondsBehind() != null && st.replica().secondsBehind() <= 1;
        });
        try (Failovers ops = failovers()) {
            Switchover.Result r = ops.switchover(group, instance, Duration.ofSeconds(5));
            assertThat(r.done()).as(r.reason()).isTrue();
        }
        new RecoveryStore(catalog).acknowledge(group, "bench");
    }

    private Failovers failovers() {
        return new Failovers(topology, FailoverSettings.defaults(f.admin()), catalog, new Servers(topology, f.admin(), topology.credentials().replication().resolve()), s -> {});
    }

    /** The finished recovery of {@code group} that started after {@code after}. */
    private RecoveryStore.Row awaitRecovery(String group, Instant after) {
        RecoveryStore store = new RecoveryStore(catalog);
        Fleet.await("a finished recovery of " + group, Duration.ofSeconds(60), () -> store.history(group, 1).stream()
                .anyMatch(r -> r.startedAt().isAfter(after) && r.finishedAt() != null));
        RecoveryStore.Row row = store.history(group, 1).getFirst();
        assertThat(row.outcome()).as(group + ": " + row.reason()).isEqualTo("done");
        return row;
    }

    private Sample sample(String group, RecoveryStore.Row row, Instant killedAt, long writable, long acked) throws Exception {
        Matcher m = FIRST_SEEN.matcher(row.evidenceJson());
        assertThat(m.find()).as(row.evidenceJson()).isTrue();
        long detect = Duration.between(killedAt, Instant.parse(m.group(1))).toMillis();
        long confirm = Long.parseLong(m.group(2));
        Map<String, Long> steps = new LinkedHashMap<>();
        for (Catalog.JournalEntry e : new RecoveryStore(catalog).steps(row.id())) {
            JsonNode n = JSON.readTree(e.evidenceJson());
            steps.put(e.stepName(), n.path("millis").asLong());
        }
        new RecoveryStore(catalog).acknowledge(group, "bench");
        return new Sample(group, writable, detect, confirm, steps, acked);
    }

    /** Stops the clients; every acknowledged write must be on the group's primary exactly once. Returns how many were acknowledged. */
    private long check(List<AckWriter> ws, String primary) throws Exception {
        ws.forEach(AckWriter::stop);
        List<String> tags = new ArrayList<>();
        try (Connection c = f.connect(primary); var st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT tag FROM fo.acks")) {
            while (rs.next()) tags.add(rs.getString(1));
        }
        assertThat(AckCheck.violations(ws, AckCheck.count(tags))).as("acknowledged writes on " + primary).isEmpty();
        return ws.stream().mapToLong(w -> w.acknowledged.size()).sum();
    }

    /** Readies a fleet for the next run: the old primary back as a replica. */
    @FunctionalInterface
    interface Repair {
        void rejoin(String old) throws Exception;
    }

    /** The old primary back as a replica of its group (see {@link Rejoin}). */
    void rejoin(String old) throws Exception {
        Rejoin.discardingUnacknowledged(f, topology, catalog, old);
    }

    @Override
    public void close() throws Exception {
        if (monitor != null) {
            monitor.destroy();
            monitor.waitFor(30, TimeUnit.SECONDS);
        }
        catalog.close();
    }
}
