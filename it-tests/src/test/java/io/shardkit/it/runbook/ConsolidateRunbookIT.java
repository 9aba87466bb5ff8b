package io.shardkit.it.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.it.fixture.Fleet;
import io.shardkit.it.fixture.FleetExtension;
import io.shardkit.it.fixture.FleetShape;
import io.shardkit.it.fixture.ItPaths;
import io.shardkit.mysql.Queries;
import io.shardkit.sandbox.Sandbox;
import io.shardkit.sandbox.SandboxSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped runbook {@code runbooks/consolidate.sk}, run as an operator runs it (the launcher):
 * two shards merged into a third with its gates (no failover running, target healthy, caught up,
 * verify clean and fresh), the stream in the background, then the cutover. The target ends with
 * every row of both sources and the sources fenced.
 */
@ExtendWith(FleetExtension.class)
@FleetShape(flavor = SandboxSpec.ServerFlavor.MARIADB, zones = 1, hostsPerZone = 2, groups = 3, replicas = 0)
class ConsolidateRunbookIT {

    @Test
    void theConsolidateRunbookMergesTwoShardsEndToEndThroughItsGates(Fleet f, @TempDir Path work) throws Exception {
        for (String g : List.of("g1", "g2")) {
            try (Connection c = f.connect(primary(f, g))) {
                Queries.execute(c, "CREATE DATABASE cs");
                Queries.execute(c, "CREATE TABLE cs.items (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL)");
                Queries.execute(c, "INSERT INTO cs.items SELECT seq, CONCAT('" + g + "-', seq) FROM cs.seq_1_to_800");
            }
        }
        Path book = Path.of("..", "runbooks", "consolidate.sk").toAbsolutePath().normalize();
        Path topo = Sandbox.dirOf(f.home(), f.name()).resolve(Sandbox.TOPOLOGY_FILE);
        List<String> cmd = new ArrayList<>(List.of(ItPaths.launcher().toString(), "run", book.toString(), "--var", "from=g1,g2", "--var", "into=g3",
                "--var", "database=cs", "--var", "id=c1", "--var", "max_freeze=5s", "--var", "catchup=5m", "--home", f.home().toString()));
        // a daemon on the same home serves the metrics a scrape sees while the runbook runs
        Process daemon = new ProcessBuilder(ItPaths.launcher().toString(), "daemon", "run", "--home", f.home().toString(), "--topology", topo.toString(),
                "--metrics", "127.0.0.1:0").redirectErrorStream(true).start();
        StringBuilder daemonOut = new StringBuilder();
        String metricsUrl = metricsUrl(daemon, daemonOut);
        List<String> scrapes = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread scraper = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    scrapes.add(java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(metricsUrl)).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString()).body());
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // the next scrape
                }
            }
        }, "scraper");
        scraper.start();
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
        pb.environment().put("SHARDKIT_TOPOLOGY", topo.toString());
        pb.environment().put("SHARDKIT_NO_DAEMON", "1");
        Path out = work.resolve("out.txt");
        Process p = pb.redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(8, TimeUnit.MINUTES)).as("runbook finished").isTrue();
        String text = Files.readString(out);
        System.out.println(text);
        Thread.sleep(2_500); // one more catalog refresh of the daemon's metrics
        scraper.interrupt();
        scraper.join();
        daemon.destroy();
        daemon.waitFor(30, TimeUnit.SECONDS);
        // live values during the merge, and the end state after it
        assertThat(scrapes).as("a scrape while c1 streamed (daemon said:\n%s)", daemonOut).anyMatch(m -> m.contains("shardkit_merge_job_state{job=\"c1\",state=\"STREAMING\"} 1.0")
                && m.contains("shardkit_merge_rows_copied{job=\"c1\",source=\"g1\"} 800.0") && m.contains("shardkit_merge_stream_transactions_behind{job=\"c1\",source=\"g2\"}"));
        assertThat(scrapes.getLast()).contains("shardkit_merge_job_state{job=\"c1\",state=\"DONE\"} 1.0").contains("shardkit_verify_last_run_clean{job=\"c1\"} 1.0");
        assertThat(p.exitValue()).as(text).isZero();
        // each gate ran and held, in order, and the cutover came last
        assertThat(text).contains("holds: free of running failovers").contains("holds: group g3 healthy").contains("in the background (pid")
                .contains("holds: merge c1 caught up").contains("holds: verify of c1 clean within 10m").contains("merge c1: DONE");
        assertThat(text.indexOf("holds: verify of c1 clean")).isLessThan(text.indexOf("merge c1: DONE"));
        try (Connection c = f.connect(primary(f, "g3"))) {
            assertThat(Queries.string(c, "SELECT COUNT(*) FROM cs.items")).isEqualTo("1600");
            assertThat(Queries.string(c, "SELECT COUNT(DISTINCT v) FROM cs.items WHERE v LIKE 'g1-%' OR v LIKE 'g2-%'")).isEqualTo("1600");
        }
        for (String g : List.of("g1", "g2")) {
            try (Connection c = f.connect(primary(f, g))) {
                assertThat(Queries.string(c, "SELECT @@global.read_only")).as(g + " fenced after the cutover").isEqualTo("1");
            }
        }
    }

    private static String metricsUrl(Process daemon, StringBuilder seen) throws Exception {
        java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(daemon.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (String line; System.nanoTime() < deadline && (line = r.readLine()) != null; ) {
            seen.append(line).append('\n');
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("metrics on (http://\\S+/metrics)").matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> {
                    try {
                        for (String l; (l = r.readLine()) != null; ) {
                            synchronized (seen) {
                                seen.append(l).append('\n');
                            }
                        }
                    } catch (java.io.IOException e) {
                        // gone
                    }
                }, "daemon-out");
                drain.setDaemon(true);
                drain.start();
                return m.group(1);
            }
        }
        throw new AssertionError("the daemon printed no metrics address");
    }

    static String primary(Fleet f, String g) {
        return f.discover().group(g).primary().orElseThrow();
    }
}
