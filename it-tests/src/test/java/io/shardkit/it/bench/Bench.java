package io.shardkit.it.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.it.fixture.Fleet;
import io.shardkit.mysql.Queries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What the benchmarks share: peer processes, the toolkit in its own JVM, result tables. */
final class Bench {
    private Bench() {}

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

    /** {@code bench.items} on each source: a sysbench-like table of {@code rows} rows (id, k indexed, c, pad). */
    static void seedItems(Fleet f, List<String> sources, long rows) throws Exception {
        for (String g : sources) {
            try (Connection c = f.connect(primary(f, g))) {
                Queries.execute(c, "CREATE DATABASE bench");
                Queries.execute(c, "CREATE TABLE bench.items (id INT AUTO_INCREMENT PRIMARY KEY, k INT NOT NULL, c CHAR(120) NOT NULL, pad CHAR(60) NOT NULL"
                        + (Boolean.getBoolean("bench.nokey") ? "" : ", KEY (k)") + ")");
                c.setCatalog("bench");
                Queries.execute(c, "INSERT INTO items (k, c, pad) SELECT seq % 100000, REPEAT(CHAR(65 + seq % 26), 120), REPEAT('p', 60) FROM seq_1_to_" + rows);
            }
        }
    }

    static Path dir() throws Exception {
        return Files.createDirectories(Path.of(System.getProperty("shardkit.it.root", "target")).getParent().resolve("bench"));
    }

    /** A mode-600 client option file for the peers (they take no credential reference); delete it after. */
    static Path clientCnf(Fleet f, String name) throws Exception {
        Path cnf = dir().resolve(name);
        Files.deleteIfExists(cnf);
        Files.createFile(cnf, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(cnf, "[client]\nuser=" + f.admin().user() + "\npassword=" + f.admin().password().reveal() + "\n");
        return cnf;
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

    /** The shell in its own JVM with the launcher's options (bin/shardkit), plus a flight recording when -Dbench.jfr=FILE. */
    /** The distribution's launcher, as an operator runs shardkit (its JVM options, its class-data archive). */
    static final Path LAUNCHER = io.shardkit.it.fixture.ItPaths.launcher();

    static List<String> shardkit(Fleet f, String... args) {
        List<String> cmd = new ArrayList<>();
        if (java.nio.file.Files.isExecutable(LAUNCHER) && System.getProperty("bench.jfr") == null) {
            cmd.add(LAUNCHER.toString());
        } else {
            // no distribution built (or a flight recording asked for): the same JVM options on the test classpath
            String javaBin = ProcessHandle.current().info().command().orElse("java");
            cmd.addAll(List.of(javaBin, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
            if (System.getProperty("bench.jfr") != null) cmd.add("-XX:StartFlightRecording=filename=" + System.getProperty("bench.jfr") + ",settings=profile");
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.shardkit.shell.Main"));
        }
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--home", f.home().toString(), "--sandbox", f.name()));
        return cmd;
    }

    /** Prints and writes {@code name}.md and {@code name}.json: each tool's rate and shardkit's (the first result) ratio to it. */
    static void report(String name, String title, Map<String, Object> params, List<Result> results) throws Exception {
        StringBuilder md = new StringBuilder("| tool | rows | seconds | rows/s | shardkit ÷ tool | note |\n|---|---|---|---|---|---|\n");
        Map<String, Object> json = new LinkedHashMap<>(params);
        List<Map<String, Object>> rows = new ArrayList<>();
        double mine = results.getFirst().rate();
        for (Result r : results) {
            md.append(String.format("| %s | %d | %.2f | %.0f | %s | %s |%n", r.tool().replace("|", "\\|"), r.rows(), r.seconds(), r.rate(),
                    r == results.getFirst() ? "1.00x" : String.format("%.2fx", mine / r.rate()), r.note()));
            rows.add(Map.of("tool", r.tool(), "rows", r.rows(), "seconds", r.seconds(), "rowsPerSecond", r.rate(), "note", r.note()));
        }
        json.put("results", rows);
        Files.writeString(dir().resolve(name + ".md"), "### " + title + "\n\nparameters: " + params + "\n\n" + md);
        Files.writeString(dir().resolve(name + ".json"), new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
        System.out.println("\n" + title + " " + params + ":\n" + md);
    }

    static void deleteTree(Path p) throws Exception {
        if (!Files.exists(p)) return;
        try (var w = Files.walk(p)) {
            for (Path x : w.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(x);
        }
    }
}
