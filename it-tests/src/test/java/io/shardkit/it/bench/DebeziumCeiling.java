package io.shardkit.it.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardkit.merge.MetaTables;
import io.shardkit.merge.stream.BinlogStream;
import io.shardkit.merge.stream.ChangeSink;
import io.shardkit.merge.stream.RowChange;
import io.shardkit.merge.stream.StreamSource;
import io.shardkit.mysql.FlavorFamily;
import io.shardkit.topology.Topology;
import io.shardkit.topology.TopologyFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The stream apply benchmark's ceiling, run in its own JVM with the launcher's streaming options:
 * a bare {@link BinlogStream} (shardkit's Debezium configuration) whose sink discards every event,
 * reading one source from a position until a marker. Prints the seconds it took. Credentials come
 * from the topology's option files, never from the command line.
 *
 * <p>Arguments: topology file, instance, database, table, start position (JSON), marker seq.
 */
public final class DebeziumCeiling {
    public static void main(String[] args) throws Exception {
        Topology t = TopologyFile.load(Path.of(args[0]));
        String instance = args[1];
        @SuppressWarnings("unchecked")
        Map<String, Object> from = new ObjectMapper().readValue(args[4], Map.class);
        long seq = Long.parseLong(args[5]);
        CountDownLatch seen = new CountDownLatch(1);
        ChangeSink discard = (name, rows, ddl, position) -> {
            for (RowChange r : rows) {
                if ("markers".equals(r.table()) && r.after() != null && ((Number) r.after().get("seq")).longValue() >= seq) seen.countDown();
            }
        };
        Path history = Files.createTempFile("ceiling", ".history");
        Files.delete(history);
        StreamSource src = new StreamSource("ceiling", FlavorFamily.MARIADB, t.instance(instance).endpoint(), t.credentials().stream().resolve(),
                4_100_000_001L, args[2], List.of(args[3]), List.of(MetaTables.DB + ".markers"), from, history);
        long t0 = System.nanoTime();
        try (BinlogStream bs = new BinlogStream(src, discard)) {
            bs.start();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (!seen.await(20, TimeUnit.MILLISECONDS)) {
                if (bs.failure() != null) throw new IllegalStateException("stream failed", bs.failure());
                if (System.nanoTime() > deadline) throw new IllegalStateException("marker " + seq + " not seen within 10 min");
            }
            System.out.printf("ceiling-seconds %.3f%n", (System.nanoTime() - t0) / 1e9);
        } finally {
            Files.deleteIfExists(history);
        }
        System.exit(0);
    }
}
