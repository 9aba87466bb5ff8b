package io.shardkit.it.bench;

import static io.shardkit.it.bench.Bench.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.it.fixture.Fleet;
import io.shardkit.it.fixture.FleetShape;
import io.shardkit.mysql.Queries;
import io.shardkit.sandbox.SandboxSpec;
import io.shardkit.topology.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Verify benchmark (not a timed test: it asserts only that both tools checked every row and found
 * no difference). Four MariaDB sources merged into one target, then in the same run:
 * shardkit's merge verify --full (every source against the target, chunk checksums in SQL) and
 * pt-table-checksum on the target group (its primary against its replica, through replication),
 * both over the target's rows; each tool reads every row twice (source and target, or primary and
 * replica). Rows per source: -Dbench.rows (default 250000).
 */
@Tag("bench")
@FleetShape(flavor = SandboxSpec.ServerFlavor.MARIADB, zones = 1, hostsPerZone = 2, groups = 5, replicas = 1)
class VerifyBenchmark {
    static final int SOURCES = 4;

    @Test
    void verifyRowsPerSecondBesidePtTableChecksum(Fleet f) throws Exception {
        long rowsPerSource = Long.getLong("bench.rows", 250_000);
        Topology t = f.topology();
        List<String> sources = List.of("g1", "g2", "g3", "g4");
        String target = "g5";
        seedItems(f, sources, rowsPerSource);
        long total = rowsPerSource * SOURCES;
        Path log = dir().resolve("verify-tools.log");
        waitAll(List.of(run(log, shardkit(f, "merge", "plan", "--from", String.join(",", sources), "--into", target, "--database", "bench", "--keys", "offset", "--id", "vbench"), Map.of())), "merge plan");
        waitAll(List.of(run(log, shardkit(f, "merge", "start", "vbench", "--until-caught-up", "--chunk-size", "5000"), Map.of())), "merge start");
        assertThat(count(f, target, "SELECT COUNT(*) FROM bench.items")).isEqualTo(total);
        String replica = t.group(target).instanceNames().stream().filter(i -> !i.equals(primary(f, target))).findFirst().orElseThrow();
        io.shardkit.it.fixture.Fleet.await("target replica caught up", java.time.Duration.ofMinutes(5), () -> {
            try {
                try (Connection c = f.connect(replica)) {
                    return Long.parseLong(Queries.string(c, "SELECT COUNT(*) FROM bench.items")) == total;
                }
            } catch (Exception e) {
                return false;
            }
        });
        List<Result> results = new ArrayList<>();

        Path out = dir().resolve("verify-shardkit.out");
        // one untimed run first: the launcher's first run of a command writes its class-data archive, which an
        // operator's machine did long ago (and both tools then read warm servers)
        Process warm = new ProcessBuilder(shardkit(f, "merge", "verify", "vbench", "--full")).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(warm.waitFor()).as(Files.readString(out)).isZero();
        long t0 = System.nanoTime();
        Process sk = new ProcessBuilder(shardkit(f, "merge", "verify", "vbench", "--full")).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        sk.waitFor();
        double skSecs = (System.nanoTime() - t0) / 1e9;
        String printed = Files.readString(out);
        assertThat(sk.exitValue()).as(printed).isZero();
        assertThat(printed).contains("vbench: clean");
        results.add(new Result("shardkit merge verify --full (4 sources vs target, chunk checksums, 4 in parallel; the launcher, JVM start included)", total, skSecs,
                "reads each row on its source and on the target"));
        // the same command as the second step of a runbook (one JVM, as in an operator's shell session): the runbook
        // prints each step's duration
        Path book = dir().resolve("verify-warm.sk");
        String line = "merge verify vbench --full --home " + f.home() + " --sandbox " + f.name();
        Files.writeString(book, line + "\n" + line + "\n");
        List<String> runBook = new ArrayList<>(shardkit(f, "run", book.toString()));
        runBook.subList(runBook.size() - 4, runBook.size()).clear(); // run takes the homes from its lines
        Path warmOut = dir().resolve("verify-warm.out");
        Process warmRun = new ProcessBuilder(runBook).redirectErrorStream(true).redirectOutput(warmOut.toFile()).start();
        assertThat(warmRun.waitFor()).as(Files.readString(warmOut)).isZero();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("verify-warm.sk:2 done in ([0-9.]+) s").matcher(Files.readString(warmOut));
        assertThat(m.find()).as(Files.readString(warmOut)).isTrue();
        double warmSecs = Double.parseDouble(m.group(1));

        // through a daemon: 'shardkit daemon start', then the same launcher command, whose client process hands
        // it to the daemon (client JVM start included). Its first command pays the class loading and JIT once;
        // the later ones are what an operator with a running daemon gets
        List<String> daemonStart = new ArrayList<>(shardkit(f, "daemon", "start"));
        daemonStart.subList(daemonStart.size() - 2, daemonStart.size()).clear(); // no --sandbox
        Path daemonOut = dir().resolve("verify-daemon.out");
        Process d = new ProcessBuilder(daemonStart).redirectErrorStream(true).redirectOutput(daemonOut.toFile()).start();
        assertThat(d.waitFor()).as(Files.readString(daemonOut)).isZero();
        List<Double> viaDaemon = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                t0 = System.nanoTime();
                Process p = new ProcessBuilder(shardkit(f, "merge", "verify", "vbench", "--full")).redirectErrorStream(true).redirectOutput(daemonOut.toFile()).start();
                p.waitFor();
                viaDaemon.add((System.nanoTime() - t0) / 1e9);
                assertThat(p.exitValue()).as(Files.readString(daemonOut)).isZero();
                assertThat(Files.readString(daemonOut)).contains("vbench: clean");
            }
            List<String> status = new ArrayList<>(daemonStart);
            status.set(status.indexOf("start"), "status");
            Process st = new ProcessBuilder(status).redirectErrorStream(true).redirectOutput(daemonOut.toFile()).start();
            st.waitFor();
            assertThat(Files.readString(daemonOut)).as("every verify went through the daemon").contains("4 commands served");
        } finally {
            List<String> stop = new ArrayList<>(daemonStart);
            stop.set(stop.indexOf("start"), "stop");
            new ProcessBuilder(stop).redirectErrorStream(true).redirectOutput(daemonOut.toFile()).start().waitFor();
        }
        double daemonFirst = viaDaemon.getFirst();
        double daemonMedian = viaDaemon.subList(1, 4).stream().sorted().toList().get(1);

        // pt-table-checksum: primary against its replica; on MariaDB it needs dsn recursion and no binlog-format check
        String tp = t.instance(primary(f, target)).ip();
        try (Connection c = f.connect(primary(f, target))) {
            Queries.execute(c, "CREATE DATABASE IF NOT EXISTS percona");
            Queries.execute(c, "CREATE TABLE percona.dsns (id INT AUTO_INCREMENT PRIMARY KEY, parent_id INT, dsn VARCHAR(255) NOT NULL)");
            Queries.execute(c, "INSERT INTO percona.dsns (dsn) VALUES ('h=" + t.instance(replica).ip() + ",P=3306')");
        }
        Path cnf = clientCnf(f, "pt.cnf");
        t0 = System.nanoTime();
        Process pt = run(log, List.of("pt-table-checksum", "--defaults-file=" + cnf, "h=" + tp + ",P=3306", "--databases", "bench", "--tables", "items",
                "--recursion-method=dsn=h=" + tp + ",D=percona,t=dsns", "--no-check-binlog-format", "--no-version-check"), Map.of());
        pt.waitFor();
        double ptSecs = (System.nanoTime() - t0) / 1e9;
        Files.deleteIfExists(cnf);
        assertThat(pt.exitValue()).as("pt-table-checksum exit (see %s)", log).isZero();
        try (Connection c = f.connect(primary(f, target))) {
            assertThat(Long.parseLong(Queries.string(c, "SELECT SUM(this_cnt) FROM percona.checksums WHERE db = 'bench' AND tbl = 'items'"))).isEqualTo(total);
        }
        results.add(new Result("pt-table-checksum (target primary vs its replica, default chunk-time 0.5 s)", total, ptSecs, "reads each row on the primary and, replicated, on the replica"));
        results.add(new Result("shardkit merge verify --full, warm: the second verify of a runbook (one JVM, as in a shell session)", total, warmSecs,
                String.format("pt-table-checksum ÷ this: %.2fx (the launcher's cold run above: %.2fx)", ptSecs / warmSecs, ptSecs / skSecs)));
        results.add(new Result("shardkit merge verify --full through a running daemon (launcher + client JVM included; median of its 2nd-4th commands)", total, daemonMedian,
                String.format("pt-table-checksum ÷ this: %.2fx; the daemon's first command: %.2f s (%.2fx)", ptSecs / daemonMedian, daemonFirst, ptSecs / daemonFirst)));
        results.add(new Result("floor: every row read once on every source and on the target, no hash, no tool (SQL in parallel, the target in two halves)",
                total, readFloor(f, sources, target, "LENGTH(CONCAT_WS('#', id, k, c, pad))"), "what any exact verify of these rows must spend at least"));
        // the row hash verify computes (RowHashSql: SHA1 of the framed row, 64 bits as a number), same spread, no tool
        results.add(new Result("floor with shardkit's row hash: the same reads computing the 64-bit SHA1 row hash, no tool",
                total, readFloor(f, sources, target, "CAST(CONV(LEFT(SHA1(CONCAT_WS('#', id, k, c, pad, CONCAT_WS(',', LENGTH(c)))), 16), 16, 10) AS UNSIGNED)"),
                "what verify's checksums cost the servers; the rest of its time is the process and the chunking"));
        report("verify", "verify benchmark, " + SOURCES + " MariaDB sources merged into 1 target (same machine, same run)",
                Map.of("rowsPerSource", rowsPerSource, "sources", SOURCES), results);
    }

    /** Seconds to evaluate {@code perRow} over every row once on each server, as the verify spreads it (sources and two target halves at once). */
    static double readFloor(Fleet f, List<String> sources, String target, String perRow) throws Exception {
        String read = "SELECT COUNT(*), SUM(" + perRow + ") FROM bench.items";
        long mid;
        try (Connection c = f.connect(primary(f, target))) {
            mid = Long.parseLong(Queries.string(c, "SELECT (MIN(id) + MAX(id)) DIV 2 FROM bench.items"));
        }
        List<java.util.concurrent.Callable<Void>> reads = new ArrayList<>();
        for (String g : sources) reads.add(query(f, primary(f, g), read));
        reads.add(query(f, primary(f, target), read + " WHERE id <= " + mid));
        reads.add(query(f, primary(f, target), read + " WHERE id > " + mid));
        long t0 = System.nanoTime();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(reads.size())) {
            for (var fut : pool.invokeAll(reads)) fut.get();
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    static java.util.concurrent.Callable<Void> query(Fleet f, String instance, String sql) {
        return () -> {
            try (Connection c = f.connect(instance)) {
                Queries.string(c, sql);
            }
            return null;
        };
    }
}
