package io.shardkit.it.merge;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.it.fixture.Fleet;
import io.shardkit.it.fixture.FleetShape;
import io.shardkit.it.fixture.MergeRuns;
import io.shardkit.it.fixture.Workload;
import io.shardkit.mysql.Queries;
import io.shardkit.sandbox.SandboxSpec;
import io.shardkit.shell.Main;
import io.shardkit.topology.Topology;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kill -9 of the toolkit at named stages of a merge under a concurrent workload, then resume: the
 * independent full comparison must be clean (nothing lost, nothing duplicated). The merge runs in a
 * child JVM that halts itself at the stage (Runtime.halt: no shutdown hooks, like kill -9).
 */
@FleetShape(flavor = SandboxSpec.ServerFlavor.MARIADB, zones = 3, hostsPerZone = 1, groups = 3, replicas = 1)
class MergeKillResumeIT {

    static String primary(Fleet f, String g) {
        return f.discover().group(g).primary().orElseThrow();
    }

    static int cli(Fleet f, StringWriter out, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--home", f.home().toString(), "--sandbox", f.name()));
        return Main.run(new PrintWriter(out, true), new PrintWriter(out, true), all.toArray(String[]::new));
    }

    @ParameterizedTest(name = "kill -9 at {0}")
    @ValueSource(strings = {"copy.chunk-read:3", "copy.before-checkpoint-commit:4", "copy.after-checkpoint-commit:5",
            "stream.before-commit:6", "stream.after-commit:8", "copy.between-chunks:7"})
    void killedAtAStageThenResumedLosesAndDuplicatesNothing(String stage, Fleet f) throws Exception {
        String db = "k_" + stage.replaceAll("[^a-z]", "_").replaceAll("_+", "_");
        Topology t = f.topology();
        for (String g : List.of("g1", "g2")) {
            try (Connection c = f.connect(primary(f, g))) {
                Queries.execute(c, "CREATE DATABASE " + db);
                Queries.execute(c, "CREATE TABLE " + db + ".items (id BIGINT AUTO_INCREMENT PRIMARY KEY, sku VARCHAR(32) NOT NULL, qty INT NOT NULL,"
                        + " price DECIMAL(10,2), note TEXT, updated DATETIME(6) NOT NULL)");
                c.setCatalog(db); // the seq_1_to_N sequence tables resolve in the current database
                Queries.execute(c, "INSERT INTO " + db + ".items (sku, qty, price, note, updated) SELECT CONCAT('s', seq), seq % 100, seq / 4, NULL, NOW(6)"
                        + " FROM seq_1_to_4000");
            }
        }
        StringWriter out = new StringWriter();
        assertThat(cli(f, out, "merge", "plan", "--from", "g1,g2", "--into", "g3", "--database", db, "--keys", "shard-column", "--id", db)).as(out.toString()).isZero();

        List<Workload> loads = List.of(
                new Workload(t.instance(primary(f, "g1")).endpoint(), f.admin(), db + ".items", 0, stage.hashCode(), 100_000),
                new Workload(t.instance(primary(f, "g2")).endpoint(), f.admin(), db + ".items", 0, stage.hashCode() + 1, 100_000));
        ExecutorService ex = Executors.newFixedThreadPool(2);
        loads.forEach(ex::submit);

        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.shardkit.shell.Main",
                "merge", "start", db, "--chunk-size", "200", "--home", f.home().toString(), "--sandbox", f.name());
        pb.environment().put("SHARDKIT_HALT_AT", stage);
        pb.redirectErrorStream(true).redirectOutput(f.home().resolve(db + ".child.log").toFile());
        Process child = pb.start();
        assertThat(child.waitFor(180, TimeUnit.SECONDS)).as("child halted").isTrue();
        assertThat(child.exitValue()).as("halted at %s (see %s)", stage, f.home().resolve(db + ".child.log")).isEqualTo(137);

        StringWriter resumed = new StringWriter();
        assertThat(cli(f, resumed, "merge", "resume", db, "--until-caught-up", "--chunk-size", "200")).as(resumed.toString()).isZero();
        loads.forEach(Workload::stop);
        ex.shutdown();
        assertThat(ex.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        for (Workload w : loads) assertThat(w.error()).isNull();
        StringWriter last = new StringWriter();
        assertThat(cli(f, last, "merge", "resume", db, "--until-caught-up")).as(last.toString()).isZero();

        assertThat(MergeRuns.compareShardColumn(f, db + ".items", "sku, qty, price, note, updated", List.of("g1", "g2"), "g3"))
                .as("after kill -9 at %s and resume", stage).isEmpty();
        System.out.printf("kill -9 at %s: resumed, comparison clean; workload %d + %d ops%n", stage, loads.get(0).ops(), loads.get(1).ops());
    }
}
