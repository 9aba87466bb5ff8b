package io.shardkit.merge.stream;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.shardkit.mysql.FlavorFamily;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * One source's binlog as a stream of {@link RowChange} batches, through Debezium embedded (the
 * MariaDB connector for MariaDB, the MySQL connector for MySQL). Debezium is touched here and in
 * {@link RecordConverter} only. Delivery is at-least-once and in binlog order (one processing thread).
 */
public final class BinlogStream implements AutoCloseable {
    private final StreamSource source;
    private final DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "stream-runner");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** When the engine last handed over a batch (rows, DDL or a heartbeat) or the handler finished one; 0 before the first. */
    private volatile long lastDelivery;
    /** True while the handler applies a batch: a slow apply is not a silent source. */
    private volatile boolean handling;

    public BinlogStream(StreamSource source, ChangeSink sink) {
        this.source = source;
        String engineName = "shardkit-" + source.name() + "-" + Long.toHexString(System.nanoTime());
        OffsetRegistry.put(engineName, source.resumeFrom());
        this.engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(properties(source, engineName))
                .notifying((records, committer) -> {
                    lastDelivery = System.nanoTime();
                    handling = true;
                    try {
                        handle(sink, records, committer);
                    } finally {
                        handling = false;
                        lastDelivery = System.nanoTime();
                    }
                })
                .using((success, message, error) -> {
                    if (!success && error != null) failure.compareAndSet(null, error);
                    stopped.countDown();
                })
                .build();
    }

    private void handle(ChangeSink sink, List<RecordChangeEvent<SourceRecord>> records, DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        List<RowChange> rows = new ArrayList<>();
        List<SchemaChange> ddl = new ArrayList<>();
        Map<String, Object> last = null;
        for (RecordChangeEvent<SourceRecord> e : records) {
            SourceRecord r = e.record();
            @SuppressWarnings("unchecked")
            Map<String, Object> pos = (Map<String, Object>) r.sourceOffset();
            if (pos != null && !pos.isEmpty()) last = pos;
            Object c = RecordConverter.convert(r);
            if (c instanceof RowChange rc) rows.add(rc);
            else if (c instanceof SchemaChange sc) ddl.add(sc);
        }
        try {
            if (!rows.isEmpty() || !ddl.isEmpty() || last != null) sink.apply(source.name(), rows, ddl, last);
        } catch (InterruptedException ie) {
            throw ie;
        } catch (Exception ex) {
            failure.compareAndSet(null, ex);
            throw new InterruptedException("apply failed: " + ex.getMessage());
        }
        for (RecordChangeEvent<SourceRecord> e : records) committer.markProcessed(e);
        committer.markBatchFinished();
    }

    static Properties properties(StreamSource s, String engineName) {
        Properties p = new Properties();
        p.setProperty("name", engineName);
        p.setProperty("connector.class", s.family() == FlavorFamily.MARIADB
                ? "io.debezium.connector.mariadb.MariaDbConnector" : "io.debezium.connector.mysql.MySqlConnector");
        p.setProperty("offset.storage", CheckpointOffsetStore.class.getName());
        p.setProperty(CheckpointOffsetStore.ENGINE_KEY, engineName);
        p.setProperty("offset.flush.interval.ms", "60000");
        p.setProperty("database.hostname", s.endpoint().host());
        p.setProperty("database.port", String.valueOf(s.endpoint().port()));
        p.setProperty("database.user", s.credential().user());
        p.setProperty("database.password", s.credential().password().reveal());
        p.setProperty("database.server.id", String.valueOf(s.serverId()));
        // the two connectors spell "no TLS" differently
        p.setProperty("database.ssl.mode", s.family() == FlavorFamily.MARIADB ? "disable" : "disabled");
        // also names the connector's JMX beans: unique per engine, or a second job in one JVM fails to start
        p.setProperty("topic.prefix", engineName.replaceAll("[^A-Za-z0-9_]", "_"));
        List<String> captured = new ArrayList<>();
        s.tables().forEach(t -> captured.add(s.database() + "." + t));
        captured.addAll(s.extraTables());
        p.setProperty("database.include.list", String.join(",", captured.stream().map(t -> t.substring(0, t.indexOf('.'))).distinct().toList()));
        p.setProperty("table.include.list", String.join(",", captured.stream().map(t -> t.replace(".", "\\.")).toList()));
        p.setProperty("include.schema.changes", "true");
        // a delete is one event to shardkit; Kafka compaction's extra tombstone record was a fifth of a sysbench batch
        p.setProperty("tombstones.on.delete", "false");
        // first start: schema only, then stream from now. Resume: rebuild the schema history from the tables and
        // stream from our checkpoint; a kept history file is not trusted, since Debezium replays it by comparing
        // event timestamps with snapshot wall-clock times and can skip the very CREATE TABLE it needs.
        p.setProperty("snapshot.mode", s.resumeFrom() == null ? "no_data" : "recovery");
        p.setProperty("snapshot.locking.mode", "none");
        p.setProperty("schema.history.internal", "io.debezium.storage.file.history.FileSchemaHistory");
        p.setProperty("schema.history.internal.file.filename", s.historyFile().toString());
        p.setProperty("schema.history.internal.store.only.captured.tables.ddl", "true");
        p.setProperty("decimal.handling.mode", "precise");
        p.setProperty("binary.handling.mode", "bytes");
        p.setProperty("bigint.unsigned.handling.mode", "precise");
        p.setProperty("time.precision.mode", "adaptive_time_microseconds");
        // the column types whose standard conversion loses stored values go through shardkit's converter (see ExactConverter)
        p.setProperty("converters", "exact");
        p.setProperty("exact.type", ExactConverter.class.getName());
        // event.processing.failure.handling.mode stays "fail": its "warn" would let the decoder hand over 1970-01-01 for an
        // invalid calendar date, but it also skips any event that fails to decode, which loses rows
        p.setProperty("enable.time.adjuster", "false");
        p.setProperty("record.processing.threads", "1");
        p.setProperty("record.processing.order", "ORDERED");
        p.setProperty("max.batch.size", "2048");
        p.setProperty("poll.interval.ms", "50");
        p.setProperty("connect.timeout.ms", "2000");
        // liveness without the binlog client's keepalive thread: that thread reconnects by itself, and one caught
        // mid-reconnect when the engine stops outlives it, retrying the old address forever (an orphan connection
        // and a warning a second). Instead the server sends a heartbeat event when idle (0.8 x the interval below),
        // each one reaches the handler as a heartbeat record (at most one a second), and the job restarts a stream
        // that has delivered nothing for a while (silentFor)
        p.setProperty("connect.keep.alive", "false");
        p.setProperty("connect.keep.alive.interval.ms", "1000");
        p.setProperty("heartbeat.interval.ms", "1000");
        p.setProperty("errors.max.retries", "0");
        return p;
    }

    public void start() {
        runner.submit(engine);
    }

    /** Silence after which a stream's connection counts as dead: ten heartbeats missed. */
    public static final java.time.Duration SILENCE = java.time.Duration.ofSeconds(10);

    /**
     * How long since the engine last delivered anything, heartbeats included, once it has delivered
     * once; zero before (connecting and its schema snapshot are watched by {@link #failure}). A live
     * connection delivers at least a heartbeat a second, idle or not.
     */
    public java.time.Duration silentFor() {
        long last = lastDelivery;
        return last == 0 || handling ? java.time.Duration.ZERO : java.time.Duration.ofNanos(System.nanoTime() - last);
    }

    /** The error that stopped the stream, if any. */
    public Throwable failure() {
        return failure.get();
    }

    public boolean isStopped() {
        return stopped.getCount() == 0;
    }

    public String sourceName() {
        return source.name();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    /**
     * Stops the engine, waiting at most {@code wait} for it: an apply stuck on a target host that
     * died silently (no RST, a write waiting for TCP to give up) would hold a full close for as long
     * as the socket's timeout; its threads are interrupted and abandoned instead.
     */
    public void close(Duration wait) {
        try {
            try {
                engine.close();
            } catch (IllegalStateException alreadyStopping) {
                // a batch handler interrupted by the stop request already began the engine's shutdown
            }
            stopped.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            failure.compareAndSet(null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            runner.shutdownNow();
        }
    }
}
