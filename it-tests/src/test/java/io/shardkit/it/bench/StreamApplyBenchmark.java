package io.shardkit.it.bench;

import static io.shardkit.it.bench.Bench.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.catalog.Catalog;
import io.shardkit.it.fixture.Fleet;
import io.shardkit.it.fixture.FleetShape;
import io.shardkit.merge.JobState;
import io.shardkit.merge.JobStore;
import io.shardkit.merge.Markers;
import io.shardkit.mysql.Queries;
import io.shardkit.sandbox.SandboxSpec;
import io.shardkit.topology.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Stream apply against native replication on the same transactions: a sysbench oltp_write_only
 * load runs on a source primary while both consumers are held (its replica's SQL thread stopped,
 * the merge paused), so each has the same backlog; then each is released alone and timed until
 * it has applied everything (the replica's GTID position reaching the source's; a marker written
 * after the load coming back through the stream). Rates are transactions per second of backlog
 * drained. The target's own replica is held too while the stream drains, so both measurements
 * have the machine to themselves. Load length: -Dbench.apply.seconds (default 20).
 */
@Tag("bench")
@FleetShape(flavor = SandboxSpec.ServerFlavor.MARIADB, zones = 1, hostsPerZone = 2, groups = 2, replicas = 1)
class StreamApplyBenchmark {

    @Test
    void streamApplyBesideNativeReplication(Fleet f) throws Exception {
        int seconds = Integer.getInteger("bench.apply.seconds", 20);
        Topology t = f.topology();
        String source = primary(f, "g1");
        String replica = other(f, "g1", source);
        String target = primary(f, "g2");
        String targetReplica = other(f, "g2", target);
        Path log = dir().resolve("apply-tools.log");
        String user = f.app().user();
        String password = f.app().password().reveal(); // sysbench takes no option file (never logged)
        try (Connection c = f.connect(source)) {
            Queries.execute(c, "CREATE DATABASE sba");
        }
        waitAll(List.of(run(log, sysbench(t.instance(source).ip(), user, password, 0, "prepare"), Map.of())), "sysbench prepare");
        try (Catalog catalog = Catalog.embedded(f.home())) {
            JobStore jobs = new JobStore(catalog);
            waitAll(List.of(run(log, shardkit(f, "merge", "plan", "--from", "g1", "--into", "g2", "--database", "sba", "--id", "sba"), Map.of())), "merge plan");
            Process merge = run(log, shardkit(f, "merge", "start", "sba"), Map.of());
            try {
                Fleet.await("streaming", Duration.ofMinutes(2), () -> jobs.state("sba") == JobState.STREAMING);
                try (Connection c = f.connect(replica)) {
                    Queries.execute(c, "STOP SLAVE SQL_THREAD");
                }
                jobs.move("sba", JobState.PAUSED, "benchmark: backlog");
                Thread.sleep(2000); // the merge process follows the catalog once a second; nothing is timed here
                long before = gtidSeq(f, source);
                Map<String, Object> backlogStart = binlogPosition(f, source);
                waitAll(List.of(run(log, sysbench(t.instance(source).ip(), user, password, seconds, "run"), Map.of())), "sysbench run");
                long trx = gtidSeq(f, source) - before;
                String sourcePos = gtidPos(f, source);

                long t0 = System.nanoTime();
                try (Connection c = f.connect(replica)) {
                    Queries.execute(c, "START SLAVE SQL_THREAD");
                    Fleet.await("replica applied the backlog", Duration.ofMinutes(10), () -> {
                        try {
                            return Queries.string(c, "SELECT @@GLOBAL.gtid_slave_pos").equals(sourcePos);
                        } catch (Exception e) {
                            return false;
                        }
                    });
                }
                double nativeSecs = (System.nanoTime() - t0) / 1e9;

                try (Connection c = f.connect(targetReplica)) {
                    Queries.execute(c, "STOP SLAVE SQL_THREAD");
                }
                t0 = System.nanoTime();
                jobs.move("sba", JobState.STREAMING, "benchmark: drain");
                long seq;
                try (Connection c = f.connect(source)) {
                    seq = Markers.write(c, "sba", "g1");
                }
                try (Connection c = f.connect(target)) {
                    Fleet.await("stream applied the backlog", Duration.ofMinutes(10), () -> {
                        try {
                            return Markers.applied(c, "sba", "g1") >= seq;
                        } catch (Exception e) {
                            return false;
                        }
                    });
                }
                double streamSecs = (System.nanoTime() - t0) / 1e9;
                try (Connection c = f.connect(targetReplica)) {
                    Queries.execute(c, "START SLAVE SQL_THREAD");
                }
                double debeziumSecs = debeziumAlone(f, source, backlogStart, seq);
                List<Result> results = new ArrayList<>();
                results.add(new Result("shardkit stream apply (Debezium MariaDB connector, batched upserts)", trx, streamSecs, "backlog drained after the pause; includes resume latency (<= 1 s)"));
                results.add(new Result("native replication (MariaDB 10.11 replica SQL thread, default single-threaded)", trx, nativeSecs, "backlog drained after START SLAVE SQL_THREAD"));
                results.add(new Result("ceiling: Debezium alone reading the same backlog, events discarded (own JVM, the launcher's streaming options)", trx, debeziumSecs,
                        "no apply at all: what any Debezium-based stream can reach here"));
                report("apply", "stream apply vs native replication, one MariaDB source under sysbench oltp_write_only (same transactions, drained one at a time)",
                        Map.of("loadSeconds", seconds, "transactions", trx), results);
            } finally {
                merge.destroy();
                merge.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Where the source's binlog stands now, as a Debezium offset (GTIDs read first, so no later than the file position). */
    static Map<String, Object> binlogPosition(Fleet f, String instance) throws Exception {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        try (Connection c = f.connect(instance)) {
            String gtids = Queries.string(c, "SELECT @@GLOBAL.gtid_binlog_pos");
            try (var st = c.createStatement(); var rs = st.executeQuery("SHOW MASTER STATUS")) {
                rs.next();
                m.put("file", rs.getString(1));
                m.put("pos", rs.getLong(2));
            }
            m.put("gtids", gtids);
        }
        return m;
    }

    /**
     * Seconds for a bare Debezium engine (the same {@link io.shardkit.merge.stream.BinlogStream}
     * configuration, a sink that discards) to read from {@code from} until the marker {@code seq}, in
     * a JVM with the launcher's streaming options: the most any apply built on Debezium could reach here.
     */
    static double debeziumAlone(Fleet f, String source, Map<String, Object> from, long seq) throws Exception {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(javaBin, "-Xmx384m", "-XX:+UseParallelGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), DebeziumCeiling.class.getName(), f.sandbox().topologyFile().toString(), source, "sba", "sbtest1",
                new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(from), String.valueOf(seq)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("ceiling-seconds ([0-9.]+)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return Double.parseDouble(m.group(1));
    }

    static String other(Fleet f, String group, String not) {
        return f.topology().group(group).instanceNames().stream().filter(i -> !i.equals(not)).findFirst().orElseThrow();
    }

    static String gtidPos(Fleet f, String instance) throws Exception {
        try (Connection c = f.connect(instance)) {
            return Queries.string(c, "SELECT @@GLOBAL.gtid_binlog_pos");
        }
    }

    /** The sequence number of the source's own GTID domain (one domain, one server in a sandbox group). */
    static long gtidSeq(Fleet f, String instance) throws Exception {
        String pos = gtidPos(f, instance);
        return Long.parseLong(pos.substring(pos.lastIndexOf('-') + 1));
    }

    static List<String> sysbench(String host, String user, String password, int seconds, String command) {
        return List.of("sysbench", "oltp_write_only", "--db-driver=mysql", "--mysql-host=" + host, "--mysql-port=3306", "--mysql-user=" + user,
                "--mysql-password=" + password, "--mysql-db=sba", "--tables=1", "--table-size=100000", "--threads=4", "--time=" + seconds,
                "--report-interval=0", command);
    }
}
