package io.shardkit.it.bench;

import static io.shardkit.it.bench.Bench.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.it.fixture.Fleet;
import io.shardkit.it.fixture.FleetShape;
import io.shardkit.it.fixture.TypeCorpus;
import io.shardkit.mysql.Queries;
import io.shardkit.sandbox.SandboxSpec;
import io.shardkit.topology.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The copy on awkward data (not a timed test): the {@link TypeCorpus} scaled up on two MariaDB
 * sources (zero dates, ENUM index 0, FLOAT limits, 70 KB blobs and texts, latin1 bytes, JSON...),
 * merged into a third group by shardkit's copy, beside mariadb-dump | mariadb moving the same
 * tables in the same run. Rows per table and source: -Dbench.corpusRows (default 2000).
 */
@Tag("bench")
@FleetShape(flavor = SandboxSpec.ServerFlavor.MARIADB, zones = 1, hostsPerZone = 1, groups = 3, replicas = 0)
class CorpusCopyBenchmark {

    @Test
    void corpusCopyBesideMariadbDump(Fleet f) throws Exception {
        int rows = Integer.getInteger("bench.corpusRows", 2000);
        List<String> sources = List.of("g1", "g2");
        String target = "g3";
        List<TypeCorpus.Table> tables = TypeCorpus.tables(false);
        for (String g : sources) {
            try (Connection c = f.connect(primary(f, g)); Statement st = c.createStatement()) {
                st.execute("SET SESSION sql_mode = '" + TypeCorpus.LEGACY_SQL_MODE + "'");
                st.execute("CREATE DATABASE corpus");
                for (TypeCorpus.Table t : tables) {
                    st.execute(t.ddl("corpus"));
                    for (int from = 1; from <= rows; from += 100) st.executeUpdate(t.insertMany("corpus", from, Math.min(100, rows - from + 1)));
                }
            }
        }
        long total = (long) rows * tables.size() * sources.size();
        Path dir = Bench.dir();
        Path log = dir.resolve("corpus-tools.log");
        Path cnf = Bench.clientCnf(f, "corpus-client.cnf");
        Topology t = f.topology();
        String targetIp = t.instance(primary(f, target)).ip();
        try (Connection c = f.connect(primary(f, target))) {
            Queries.execute(c, "SET GLOBAL local_infile = ON");
        }
        List<Result> results = new ArrayList<>();

        waitAll(List.of(run(log, Bench.shardkit(f, "merge", "plan", "--from", "g1,g2", "--into", target, "--database", "corpus", "--keys", "shard-column", "--id", "corpus"),
                Map.of())), "merge plan");
        long t0 = System.nanoTime();
        waitAll(List.of(run(log, Bench.shardkit(f, "merge", "start", "corpus", "--until-caught-up"), Map.of())), "merge start");
        double skSecs = (System.nanoTime() - t0) / 1e9;
        long copied = 0;
        for (TypeCorpus.Table tb : tables) copied += count(f, target, "SELECT COUNT(*) FROM corpus." + tb.name());
        assertThat(copied).isEqualTo(total);
        String fallbacks = Files.readAllLines(log).stream().filter(l -> l.contains("fell back from LOAD DATA")).count() + " table(s) fell back to inserts";
        results.add(new Result("shardkit merge copy (2 sources in parallel; includes stream start-up)", total, skSecs, fallbacks));

        try (Connection c = f.connect(primary(f, target))) {
            for (String g : sources) Queries.execute(c, "CREATE DATABASE md_" + g);
        }
        List<Process> pipes = new ArrayList<>();
        t0 = System.nanoTime();
        for (String g : sources) {
            pipes.add(run(log, List.of("bash", "-c", "set -o pipefail; mariadb-dump --defaults-extra-file=" + cnf + " -h " + t.instance(primary(f, g)).ip()
                    + " --single-transaction --skip-lock-tables corpus | mariadb --defaults-extra-file=" + cnf + " -h " + targetIp + " md_" + g), Map.of()));
        }
        waitAll(pipes, "mariadb-dump | mariadb");
        double mdSecs = (System.nanoTime() - t0) / 1e9;
        long loaded = 0;
        for (String g : sources) for (TypeCorpus.Table tb : tables) loaded += count(f, target, "SELECT COUNT(*) FROM md_" + g + "." + tb.name());
        assertThat(loaded).isEqualTo(total);
        results.add(new Result("mariadb-dump | mariadb (2 pipes in parallel)", total, mdSecs, "the same " + tables.size() + " tables"));
        Files.deleteIfExists(cnf);
        Bench.report("corpus", "copy of the type corpus (" + tables.size() + " tables of awkward values, 2 MariaDB sources into 1)",
                Map.of("rowsPerTableAndSource", rows, "tables", tables.size()), results);
    }
}
