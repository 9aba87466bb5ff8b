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
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Cutover write-block benchmark: four MariaDB sources, each under a sysbench oltp_write_only load
 * (through the application user), merged (shard column) into one target; then merge verify and
 * merge cutover, each in its own JVM as an operator runs them. Repeated -Dbench.cutovers times
 * (default 5), each on its own database; prints every run's recorded freeze and the median
 * (the goal is at most 1 s). Not a timed test: it asserts only that every cutover completed.
 */
@Tag("bench")
@FleetShape(flavor = SandboxSpec.ServerFlavor.MARIADB, zones = 1, hostsPerZone = 2, groups = 5, replicas = 0)
class CutoverBenchmark {
    static final Pattern BLOCKED = Pattern.compile("writes were blocked for (\\d+) ms \\(predicted (\\d+) ms\\)");

    @Test
    void cutoverWriteBlockUnderSysbench(Fleet f) throws Exception {
        int runs = Integer.getInteger("bench.cutovers", 5);
        int threads = Integer.getInteger("bench.sysbench.threads", 2);
        // per source; four sources' writes all land on one target sharing these two cores, so the load must leave the stream room
        int rate = Integer.getInteger("bench.sysbench.rate", 200);
        Topology t = f.topology();
        List<String> sources = List.of("g1", "g2", "g3", "g4");
        Path log = dir().resolve("cutover-tools.log");
        // sysbench takes no option file: the sandbox's application password goes on its command line (never into a log)
        String appUser = f.app().user();
        String appPassword = f.app().password().reveal();
        List<long[]> freezes = new ArrayList<>();
        // held for the whole run: this JVM serves the embedded catalog to the shardkit processes it starts
        io.shardkit.catalog.Catalog catalog = io.shardkit.catalog.Catalog.embedded(f.home());
        io.shardkit.merge.JobStore jobs = new io.shardkit.merge.JobStore(catalog);
        double writeRate = 0;
        // found once: after a cutover a source is read-only, and a group without replicas then names no primary
        Map<String, String> primaries = new LinkedHashMap<>();
        for (String g : sources) primaries.put(g, primary(f, g));
        for (int run = 1; run <= runs; run++) {
            String db = "sb" + run;
            for (String g : sources) {
                try (Connection c = f.connect(primaries.get(g))) {
                    Queries.execute(c, "CREATE DATABASE " + db);
                }
                waitAll(List.of(run(log, sysbench(t.instance(primaries.get(g)).ip(), db, appUser, appPassword, threads, 0, "prepare"), Map.of())), "sysbench prepare");
            }
            waitAll(List.of(run(log, shardkit(f, "merge", "plan", "--from", String.join(",", sources), "--into", "g5", "--database", db, "--keys", "shard-column", "--id", db), Map.of())), "merge plan");
            Process merge = run(log, shardkit(f, "merge", "start", db), Map.of());
            List<Process> load = new ArrayList<>();
            for (String g : sources) load.add(run(log, sysbench(t.instance(primaries.get(g)).ip(), db, appUser, appPassword, threads, rate, "run"), Map.of()));
            try {
                Fleet.await("merge " + db + " streaming", Duration.ofMinutes(3), () -> jobs.state(db) == io.shardkit.merge.JobState.STREAMING);
                waitAll(List.of(run(log, shardkit(f, "merge", "verify", db, "--full"), Map.of())), "merge verify");
                long before = totalWrites(f, primaries);
                long t0 = System.nanoTime();
                Path out = dir().resolve("cutover-" + run + ".out");
                Process cut = new ProcessBuilder(shardkit(f, "merge", "cutover", db, "--max-freeze", "3s")).redirectErrorStream(true).redirectOutput(out.toFile()).start();
                assertThat(cut.waitFor(5, TimeUnit.MINUTES)).isTrue();
                String printed = Files.readString(out);
                assertThat(cut.exitValue()).as(printed).isZero();
                writeRate = Math.max(writeRate, (totalWrites(f, primaries) - before) / ((System.nanoTime() - t0) / 1e9));
                Matcher m = BLOCKED.matcher(printed);
                assertThat(m.find()).as(printed).isTrue();
                freezes.add(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
                System.out.println(printed);
            } finally {
                for (Process p : load) p.destroy();
                merge.destroy();
                merge.waitFor(30, TimeUnit.SECONDS);
                // the next run merges these sources again: open them (a cutover leaves them read-only by design)
                for (String g : sources) {
                    try (Connection c = f.connect(primaries.get(g))) {
                        Queries.execute(c, "SET GLOBAL read_only = OFF");
                    }
                }
            }
        }
        catalog.close();
        List<Long> sorted = freezes.stream().map(x -> x[0]).sorted().toList();
        long median = sorted.get(sorted.size() / 2);
        StringBuilder md = new StringBuilder("| run | write block (ms) | predicted (ms) |\n|---|---|---|\n");
        for (int i = 0; i < freezes.size(); i++) md.append(String.format("| %d | %d | %d |%n", i + 1, freezes.get(i)[0], freezes.get(i)[1]));
        md.append(String.format("| **median** | **%d** | goal ≤ 1000 |%n", median));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("sources", sources.size());
        json.put("sysbenchThreadsPerSource", threads);
        json.put("sysbenchRatePerSource", rate);
        json.put("sourceCommitsPerSecondDuringCutover", Math.round(writeRate));
        json.put("runs", freezes.stream().map(x -> Map.of("writeBlockMillis", x[0], "predictedMillis", x[1])).toList());
        json.put("medianWriteBlockMillis", median);
        Files.writeString(dir().resolve("cutover.md"), "### cutover write block, 4 MariaDB sources under sysbench oltp_write_only (" + threads
                + " threads and at most " + rate + " trx/s each, through the application user; about " + Math.round(writeRate) + " commits/s on the sources while cutting over)\n\n" + md);
        Files.writeString(dir().resolve("cutover.json"), new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
        System.out.println("\ncutover benchmark:\n" + md);
    }

    static List<String> sysbench(String host, String db, String user, String password, int threads, int rate, String command) {
        return List.of("sysbench", "oltp_write_only", "--db-driver=mysql", "--mysql-host=" + host, "--mysql-port=3306", "--mysql-user=" + user,
                "--mysql-password=" + password, "--mysql-db=" + db, "--tables=1", "--table-size=10000", "--threads=" + threads, "--rate=" + rate, "--time=600",
                // a frozen source refuses writes (1290) and kills sessions (2013): a real application retries; sysbench ignores them
                "--mysql-ignore-errors=1290,2013,2006,1317,1927,1213,1205", "--report-interval=0", command);
    }

    static long totalWrites(Fleet f, Map<String, String> primaries) throws Exception {
        long n = 0;
        for (String p : primaries.values()) {
            try (Connection c = f.connect(p)) {
                n += Long.parseLong(Queries.string(c, "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'COM_COMMIT'"));
            }
        }
        return n;
    }
}
