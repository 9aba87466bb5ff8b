package io.shardkit.it.bench;

import static io.shardkit.it.bench.Bench.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.it.fixture.Fleet;
import io.shardkit.it.fixture.FleetShape;
import io.shardkit.mysql.Queries;
import io.shardkit.sandbox.SandboxSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * Scaling benchmark (not a timed test: it asserts only that every tool moved every row): merge copy
 * throughput for 2, 4 and 8 sources into one target, at x1 and x4 rows per source, each point beside
 * mydumper + myloader (2 threads each, sources in parallel) on the same rows in the same run.
 * Writes scaling.md, scaling.json and scaling.png (rows/s against sources). Rows per source at x1:
 * -Dbench.scale.rows (default 50000).
 */
@Tag("bench")
@FleetShape(flavor = SandboxSpec.ServerFlavor.MARIADB, zones = 1, hostsPerZone = 2, groups = 9, replicas = 0)
class ScalingBenchmark {

    record Point(int sources, int factor, long rows, double shardkitRate, double peerRate) {}

    @Test
    void copyThroughputAgainstSourcesAndRows(Fleet f) throws Exception {
        long base = Long.getLong("bench.scale.rows", 50_000);
        String target = "g9";
        Path log = dir().resolve("scaling-tools.log");
        List<Point> points = new ArrayList<>();
        for (int factor : new int[] {1, 4}) {
            for (int n : new int[] {2, 4, 8}) {
                List<String> sources = new ArrayList<>();
                for (int i = 1; i <= n; i++) sources.add("g" + i);
                long perSource = base * factor;
                reset(f, sources, target);
                seedItems(f, sources, perSource);
                long total = perSource * n;
                String id = "scale-" + n + "x" + factor;
                waitAll(List.of(run(log, shardkit(f, "merge", "plan", "--from", String.join(",", sources), "--into", target, "--database", "bench",
                        "--keys", "offset", "--id", id), Map.of())), "merge plan");
                long t0 = System.nanoTime();
                waitAll(List.of(run(log, shardkit(f, "merge", "start", id, "--until-caught-up", "--chunk-size", "5000"), Map.of())), "merge start");
                double skSecs = (System.nanoTime() - t0) / 1e9;
                assertThat(count(f, target, "SELECT COUNT(*) FROM bench.items")).isEqualTo(total);
                double peerSecs = mydumperMyloader(f, sources, target, log);
                points.add(new Point(n, factor, total, total / skSecs, total / peerSecs));
                System.out.printf("scaling: %d sources x%d (%d rows): shardkit %.0f rows/s, mydumper+myloader %.0f rows/s%n", n, factor, total, total / skSecs, total / peerSecs);
            }
        }
        write(points, base);
    }

    /** Fresh databases: the sources' and the target's bench schema and the peers' copies go. */
    private static void reset(Fleet f, List<String> sources, String target) throws Exception {
        for (int i = 1; i <= 9; i++) {
            String g = "g" + i;
            try (Connection c = f.connect(primary(f, g))) {
                Queries.execute(c, "DROP DATABASE IF EXISTS bench");
                for (int j = 1; j <= 8; j++) Queries.execute(c, "DROP DATABASE IF EXISTS my_g" + j);
            }
        }
    }

    private static double mydumperMyloader(Fleet f, List<String> sources, String target, Path log) throws Exception {
        Path cnf = clientCnf(f, "scaling.cnf");
        try {
            long t0 = System.nanoTime();
            List<Process> dumps = new ArrayList<>();
            for (String g : sources) {
                Path out = dir().resolve("scaling-dump-" + g);
                deleteTree(out);
                dumps.add(run(log, List.of("mydumper", "--defaults-file=" + cnf, "-h", f.topology().instance(primary(f, g)).ip(), "-P", "3306",
                        "-B", "bench", "-T", "items", "-t", "2", "-o", out.toString()), Map.of()));
            }
            waitAll(dumps, "mydumper");
            List<Process> loads = new ArrayList<>();
            for (String g : sources) {
                loads.add(run(log, List.of("myloader", "--defaults-file=" + cnf, "-h", f.topology().instance(primary(f, target)).ip(), "-P", "3306",
                        "-d", dir().resolve("scaling-dump-" + g).toString(), "-B", "my_" + g, "-t", "2", "-o"), Map.of()));
            }
            waitAll(loads, "myloader");
            double secs = (System.nanoTime() - t0) / 1e9;
            long loaded = 0;
            for (String g : sources) loaded += count(f, target, "SELECT COUNT(*) FROM my_" + g + ".items");
            assertThat(loaded).isEqualTo(count(f, target, "SELECT COUNT(*) FROM bench.items"));
            return secs;
        } finally {
            Files.deleteIfExists(cnf);
        }
    }

    private static void write(List<Point> points, long base) throws Exception {
        StringBuilder md = new StringBuilder("| sources | rows per source | rows | shardkit rows/s | mydumper+myloader rows/s | shardkit ÷ peer |\n|---|---|---|---|---|---|\n");
        List<Map<String, Object>> json = new ArrayList<>();
        for (Point p : points) {
            md.append(String.format("| %d | %d (x%d) | %d | %.0f | %.0f | %.2fx |%n", p.sources(), p.rows() / p.sources(), p.factor(), p.rows(),
                    p.shardkitRate(), p.peerRate(), p.shardkitRate() / p.peerRate()));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("sources", p.sources());
            m.put("factor", p.factor());
            m.put("rows", p.rows());
            m.put("shardkitRowsPerSecond", p.shardkitRate());
            m.put("peerRowsPerSecond", p.peerRate());
            json.add(m);
        }
        String title = "scaling: merge copy rows/s against the number of sources, x1 and x4 rows (peer: mydumper + myloader, same rows, same run)";
        Files.writeString(dir().resolve("scaling.md"), "### " + title + "\n\nparameters: {rowsPerSourceX1=" + base + "}\n\n" + md);
        Files.writeString(dir().resolve("scaling.json"), new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                .writeValueAsString(Map.of("rowsPerSourceX1", base, "points", json)));
        XYChart chart = new XYChartBuilder().width(800).height(500).title("Merge copy throughput").xAxisTitle("sources merged into one target").yAxisTitle("rows/s").build();
        for (int factor : new int[] {1, 4}) {
            List<Point> ps = points.stream().filter(p -> p.factor() == factor).toList();
            List<Integer> xs = ps.stream().map(Point::sources).toList();
            chart.addSeries("shardkit, x" + factor + " rows", xs, ps.stream().map(Point::shardkitRate).toList());
            chart.addSeries("mydumper+myloader, x" + factor + " rows", xs, ps.stream().map(Point::peerRate).toList());
        }
        BitmapEncoder.saveBitmap(chart, dir().resolve("scaling").toString(), BitmapEncoder.BitmapFormat.PNG);
        System.out.println("\n" + title + ":\n" + md);
    }
}
