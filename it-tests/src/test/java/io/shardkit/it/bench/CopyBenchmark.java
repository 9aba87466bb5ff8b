package io.shardkit.it.bench;

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

    record Result(String tool, long rows, double seconds, String note) {
        double rate() { return rows / seconds; }
    }

    static String primary(Fleet f, String g) {
        return f.discover().group(g).primary().orElseThrow();
    }

    static long count(Fleet f, String group, String sql) throws Exception {
        try (Connection c = f.connect(primary(f, group))) {
            return Long.parseLong(Queries.string(c, sql));
        }
    }

    static Process run(Path log, List<String> cmd, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        return pb.start();
    }

    static void waitAll(List<Process> ps, String what) throws Exception {
        for (Process p : ps) {
            assertThat(p.waitFor(30, TimeUnit.MINUTES)).as(what).isTrue();
            assertThat(p.exitValue()).as(what + " exit").isZero();
        }
    }

    @Test
    void copyRowsPerSecondBesidePeers(Fleet f) throws Exception {
        long rowsPerSource = Long.getLong("bench.rows", 250_000);
        Topology t = f.topology();
        List<String> sources = List.of("g1", "g2", "g3", "g4");
        String target = "g5";
        for (String g : sources) {
            try (Connection c = f.connect(primary(f, g))) {
                Queries.execute(c, "CREATE DATABASE bench");
                Queries.execute(c, "CREATE TABLE bench.items (id INT AUTO_INCREMENT PRIMARY KEY, k INT NOT NULL, c CHAR(120) NOT NULL, pad CHAR(60) NOT NULL" + (Boolean.getBoolean("bench.nokey") ? "" : ", KEY (k)") + ")");
                c.setCatalog("bench");
                Queries.execute(c, "INSERT INTO items (k, c, pad) SELECT seq % 100000, REPEAT(CHAR(65 + seq % 26), 120), REPEAT('p', 60) FROM seq_1_to_" + rowsPerSource);
            }
        }
        long total = rowsPerSource * SOURCES;
        Path dir = Files.createDirectories(Path.of(System.getProperty("shardkit.it.root", "target")).getParent().resolve("bench"));
        Path log = dir.resolve("copy-tools.log");
        Path cnf = dir.resolve("client.cnf");
        Files.deleteIfExists(cnf);
        Files.createFile(cnf, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(cnf, "[client]\nuser=" + f.admin().user() + "\npassword=" + f.admin().password().reveal() + "\n");
        String targetIp = t.instance(primary(f, target)).ip();
        List<Result> results = new ArrayList<>();

        // shardkit: the merge copy, in its own JVM like an operator runs it (its RSS is measured)
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        // the launcher's JVM options (bin/shardkit), plus a flight recording when -Dbench.jfr=FILE
        List<String> base = new ArrayList<>(List.of(javaBin, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        if (System.getProperty("bench.jfr") != null) base.add("-XX:StartFlightRecording=filename=" + System.getProperty("bench.jfr") + ",settings=profile");
        base.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.shardkit.shell.Main"));
        List<String> common = List.of("--home", f.home().toString(), "--sandbox", f.name());
        List<String> plan = new ArrayList<>(base);
        plan.addAll(List.of("merge", "plan", "--from", String.join(",", sources), "--into", target, "--database", "bench", "--keys", "offset", "--id", "bench"));
        plan.addAll(common);
        waitAll(List.of(run(log, plan, Map.of())), "merge plan");
        List<String> start = new ArrayList<>(base);
        start.addAll(List.of("merge", "start", "bench", "--until-caught-up", "--chunk-size", "5000"));
        start.addAll(common);
        long t0 = System.nanoTime();
        Process sk = run(log, start, Map.of());
        long peakKb = 0;
        while (sk.isAlive()) {
            for (String line : Files.readAllLines(Path.of("/proc/" + sk.pid() + "/status"), java.nio.charset.StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("VmHWM:")) peakKb = Math.max(peakKb, Long.parseLong(line.replaceAll("\\D", "")));
            }
            sk.waitFor(200, TimeUnit.MILLISECONDS);
        }
        double skSecs = (System.nanoTime() - t0) / 1e9;
        assertThat(sk.exitValue()).as("merge start (see %s)", log).isZero();
        assertThat(count(f, target, "SELECT COUNT(*) FROM bench.items")).isEqualTo(total);
        results.add(new Result("shardkit merge copy (4 sources in parallel, 1 reader each; includes stream start-up)", total, skSecs,
                String.format("toolkit peak RSS %.0f MiB", peakKb / 1024.0)));

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
        results.add(new Result("mydumper + myloader (2 threads each, 4 sources in parallel)", total, myRate, "dump then load"));

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

        StringBuilder md = new StringBuilder("| tool | rows | seconds | rows/s | shardkit ÷ tool | note |\n|---|---|---|---|---|---|\n");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("rowsPerSource", rowsPerSource);
        json.put("sources", SOURCES);
        List<Map<String, Object>> rows = new ArrayList<>();
        double mine = results.getFirst().rate();
        for (Result r : results) {
            md.append(String.format("| %s | %d | %.1f | %.0f | %s | %s |%n", r.tool(), r.rows(), r.seconds(), r.rate(),
                    r == results.getFirst() ? "1.00x" : String.format("%.2fx", mine / r.rate()), r.note()));
            rows.add(Map.of("tool", r.tool(), "rows", r.rows(), "seconds", r.seconds(), "rowsPerSecond", r.rate(), "note", r.note()));
        }
        json.put("results", rows);
        Files.writeString(dir.resolve("copy.md"), md);
        Files.writeString(dir.resolve("copy.json"), new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
        System.out.println("\ncopy benchmark, " + SOURCES + " MariaDB sources x " + rowsPerSource + " rows into 1 target (same machine, same run):\n" + md);
    }

    static void deleteTree(Path p) throws Exception {
        if (!Files.exists(p)) return;
        try (var w = Files.walk(p)) {
            for (Path x : w.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(x);
        }
    }
}
