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
                Queries.execute(c, "INSERT INTO cs.items SELECT seq, CONCAT('" + g + "-', seq) FROM seq_1_to_800");
            }
        }
        Path book = Path.of("..", "runbooks", "consolidate.sk").toAbsolutePath().normalize();
        Path topo = Sandbox.dirOf(f.home(), f.name()).resolve(Sandbox.TOPOLOGY_FILE);
        List<String> cmd = new ArrayList<>(List.of(ItPaths.launcher().toString(), "run", book.toString(), "--var", "from=g1,g2", "--var", "into=g3",
                "--var", "database=cs", "--var", "id=c1", "--var", "max_freeze=5s", "--var", "catchup=5m", "--home", f.home().toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
        pb.environment().put("SHARDKIT_TOPOLOGY", topo.toString());
        pb.environment().put("SHARDKIT_NO_DAEMON", "1");
        Path out = work.resolve("out.txt");
        Process p = pb.redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(8, TimeUnit.MINUTES)).as("runbook finished").isTrue();
        String text = Files.readString(out);
        System.out.println(text);
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

    static String primary(Fleet f, String g) {
        return f.discover().group(g).primary().orElseThrow();
    }
}
