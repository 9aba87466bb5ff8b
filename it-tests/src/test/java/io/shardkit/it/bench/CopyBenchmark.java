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
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Copy benchmark (not a timed test: it asserts only that every tool moved every row). Four MariaDB
 * sources into one target, the same rows for every tool, all measured in this run:
 * shardkit's merge copy, mydumper+myloader (2 threads each), and mariadb-dump | mariadb. Prints a
 * Markdown table with rows/s and ratios, and writes it (plus JSON) to it-tests/target/bench/.
 * Rows per source: -Dbench.rows (default 250000).
 */
@Tag("bench")
@FleetShape(flavor = SandboxSpec.ServerFlavor.MARIADB, zones = 1, hostsPerZone = 1, groups = 5, replicas = 0)
class CopyBenchmark {
    static final int SOURCES = 4;

    @Test
    void copyRowsPerSecondBesidePeers(Fleet f) throws Exception {
        long rowsPerSource = Long.getLong("bench.rows", 250_000);
        Topology t = f.topology();
        List<String> sources = List.of("g1", "g2", "g3", "g4");
        String target = "g5";
        seedItems(f, sources, rowsPerSource);
        long total = rowsPerSource * SOURCES;
        Path dir = Bench.dir();
        Path log = dir.resolve("copy-tools.log");
        Path cnf = Bench.clientCnf(f, "client.cnf");
        String targetIp = t.instance(primary(f, target)).ip();
        List<Result> results = new ArrayList<>();

        // shardkit: the merge copy, in its own JVM like an operator runs it (its RSS is measured)
        waitAll(List.of(run(log, Bench.shardkit(f, "merge", "plan", "--from", String.join(",", sources), "--into", target, "--database", "bench", "--keys", "offset", "--id", "bench"), Map.of())), "merge plan");
        List<String> start = Bench.shardkit(f, "merge", "start", "bench", "--until-caught-up", "--chunk-size", "5000");
        long t0 = System.nanoTime();
        Process sk = run(log, start, Map.of());
        long peakKb = 0;
        long cpuTicks = 0;
        while (sk.isAlive()) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + sk.pid() + "/status"), java.nio.charset.StandardCharsets.ISO_8859_1)) {
                    if (line.startsWith("VmHWM:")) peakKb = Math.max(peakKb, Long.parseLong(line.replaceAll("\\D", "")));
                }
                // utime + stime (fields 14 and 15 of /proc/PID/stat, after the parenthesised command name)
                String stat = Files.readString(Path.of("/proc/" + sk.pid() + "/stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                cpuTicks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            } catch (java.io.IOException | RuntimeException gone) {
                // the process exited between the check and the read
            }
            sk.waitFor(200, TimeUnit.MILLISECONDS);
        }
        double skSecs = (System.nanoTime() - t0) / 1e9;
        assertThat(sk.exitValue()).as("merge start (see %s)", log).isZero();
        assertThat(count(f, target, "SELECT COUNT(*) FROM bench.items")).isEqualTo(total);
        results.add(new Result("shardkit merge copy (4 sources in parallel, 1 reader each; includes stream start-up)", total, skSecs,
                String.format("toolkit peak RSS %.0f MiB, CPU %.1f s (%.0f%% of one core over the run)", peakKb / 1024.0, cpuTicks / 100.0,
                        100.0 * cpuTicks / 100.0 / skSecs)));

        // mydumper + myloader, 2 threads each, the four sources in parallel, each into its own target database
        List<Process> dumps = new ArrayList<>();
        t0 = System.nanoTime();
        for (String g : sources) {
            Path out = dir.resolve("mydumper-" + g);
            deleteTree(out);
            dumps.add(run(log, List.of("mydumper", "--defaults-file=" + cnf, "-h", t.instance(primary(f, g)).ip(), "-P", "3306", "-B", "bench", "-T", "items",
                    "-t", "2", "-o", out.toString()), Map.of()));
        }
        waitAll(dumps, "mydumper");
        double dumpSecs = (System.nanoTime() - t0) / 1e9;
        List<Process> loads = new ArrayList<>();
        for (String g : sources) {
            loads.add(run(log, List.of("myloader", "--defaults-file=" + cnf, "-h", targetIp, "-P", "3306", "-d", dir.resolve("mydumper-" + g).toString(),
                    "-B", "my_" + g, "-t", "2", "-o"), Map.of()));
        }
        waitAll(loads, "myloader");
        double myRate = (System.nanoTime() - t0) / 1e9;
        long loaded = 0;
        for (String g : sources) loaded += count(f, target, "SELECT COUNT(*) FROM my_" + g + ".items");
        assertThat(loaded).isEqualTo(total);
        results.add(new Result("mydumper + myloader (2 threads each, 4 sources in parallel)", total, myRate,
                "dump then load; myloader's default skips the binary log, so the target's replicas would get none of these rows"));

        // the same dumps loaded the way a merge target must be written: into its binary log, for its replicas
        long t1 = System.nanoTime();
        List<Process> binLoads = new ArrayList<>();
        for (String g : sources) {
            binLoads.add(run(log, List.of("myloader", "--defaults-file=" + cnf, "-h", targetIp, "-P", "3306", "-d", dir.resolve("mydumper-" + g).toString(),
                    "-B", "mb_" + g, "-t", "2", "-o", "--enable-binlog"), Map.of()));
        }
        waitAll(binLoads, "myloader --enable-binlog");
        double myBinSecs = dumpSecs + (System.nanoTime() - t1) / 1e9;
        loaded = 0;
        for (String g : sources) loaded += count(f, target, "SELECT COUNT(*) FROM mb_" + g + ".items");
        assertThat(loaded).isEqualTo(total);
        results.add(new Result("mydumper + myloader --enable-binlog (same dumps; the rows reach the target's replicas, as shardkit's do)", total, myBinSecs,
                "dump time of the row above + this load"));

        // mariadb-dump | mariadb, the four sources in parallel
        try (Connection c = f.connect(primary(f, target))) {
            for (String g : sources) Queries.execute(c, "CREATE DATABASE md_" + g);
        }
        List<Process> pipes = new ArrayList<>();
        t0 = System.nanoTime();
        for (String g : sources) {
            pipes.add(run(log, List.of("bash", "-c", "set -o pipefail; mariadb-dump --defaults-extra-file=" + cnf + " -h " + t.instance(primary(f, g)).ip()
                    + " --single-transaction --skip-lock-tables bench items | mariadb --defaults-extra-file=" + cnf + " -h " + targetIp + " md_" + g), Map.of()));
        }
        waitAll(pipes, "mariadb-dump | mariadb");
        double mdSecs = (System.nanoTime() - t0) / 1e9;
        loaded = 0;
        for (String g : sources) loaded += count(f, target, "SELECT COUNT(*) FROM md_" + g + ".items");
        assertThat(loaded).isEqualTo(total);
        results.add(new Result("mariadb-dump | mariadb (4 pipes in parallel)", total, mdSecs, ""));
        Files.deleteIfExists(cnf);

        Bench.report("copy", "copy benchmark, " + SOURCES + " MariaDB sources into 1 target (same machine, same run)",
                Map.of("rowsPerSource", rowsPerSource, "sources", SOURCES), results);
    }
}
