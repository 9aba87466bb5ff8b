package io.shardkit.shell.daemon;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.shardkit.catalog.Catalog;
import io.shardkit.failover.Monitor;
import io.shardkit.failover.analysis.GroupSnapshot;
import io.shardkit.failover.analysis.Reach;
import io.shardkit.failover.analysis.ReplicaView;
import io.shardkit.schedule.ScheduleRun;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The daemon's Prometheus metrics (Micrometer) and its {@code /metrics} and {@code /health}
 * endpoints. Failover and probe figures come from the monitor's last round and its incidents;
 * merge and verify figures from the catalog, refreshed by {@link #refreshCatalog} (every shardkit
 * process writes there, so a merge started from any shell shows up).
 */
public final class DaemonMetrics implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DaemonMetrics.class);
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** Incidents already counted: the monitor's list only grows. */
    private int countedIncidents;
    private final MultiGauge instanceUp;
    private final MultiGauge heartbeat;
    private final MultiGauge rowsCopied;
    private final MultiGauge rowsTotal;
    private final MultiGauge copyRate;
    private final MultiGauge checkpointAge;
    private final MultiGauge jobState;
    private final MultiGauge verifyAge;
    private final MultiGauge verifyClean;
    /** rows copied per job/source at the last refresh, and when: the rate is their difference. */
    private final Map<String, long[]> lastCopied = new ConcurrentHashMap<>();
    private HttpServer http;

    /**
     * @param leading 1 while this daemon acts as leader
     * @param health what /health answers (a JSON object)
     */
    public DaemonMetrics(String daemonId, Supplier<Boolean> leading) {
        Gauge.builder("shardkit_leader", () -> leading.get() ? 1 : 0).description("1 while this daemon leads (monitors, fails over, fires schedules)")
                .tag("daemon", daemonId).register(registry);
        instanceUp = MultiGauge.builder("shardkit_instance_up").description("1 when the monitor's last probe of an instance got an answer").register(registry);
        heartbeat = MultiGauge.builder("shardkit_primary_heartbeat_commit_seconds").description("time the primary took to commit the monitor's heartbeat write")
                .baseUnit("seconds").register(registry);
        rowsCopied = MultiGauge.builder("shardkit_merge_rows_copied").description("rows a merge job has copied from a source").register(registry);
        rowsTotal = MultiGauge.builder("shardkit_merge_rows_estimated").description("rows a merge job's copy expects from a source (estimate)").register(registry);
        copyRate = MultiGauge.builder("shardkit_merge_copy_rows_per_second").description("copy rate over the last refresh interval").register(registry);
        checkpointAge = MultiGauge.builder("shardkit_merge_stream_checkpoint_age_seconds")
                .description("age of a source stream's last checkpoint: grows when the stream stalls or lags").baseUnit("seconds").register(registry);
        jobState = MultiGauge.builder("shardkit_merge_job_state").description("1 for a job's current state").register(registry);
        verifyAge = MultiGauge.builder("shardkit_verify_last_run_age_seconds").description("age of a job's newest finished verify").baseUnit("seconds").register(registry);
        verifyClean = MultiGauge.builder("shardkit_verify_last_run_clean").description("1 when a job's newest finished verify found no difference").register(registry);
    }

    /** A schedule run ended. */
    public void scheduleRun(String schedule, ScheduleRun.Outcome outcome) {
        Counter.builder("shardkit_schedule_runs").description("schedule runs by outcome").tags("schedule", schedule, "outcome", outcome.name().toLowerCase())
                .register(registry).increment();
    }

    /** The monitor's view after a round: instance reachability, heartbeat, and recoveries not counted yet. */
    public synchronized void monitor(Monitor m) {
        List<MultiGauge.Row<?>> up = new ArrayList<>();
        List<MultiGauge.Row<?>> hb = new ArrayList<>();
        for (GroupSnapshot s : m.lastSnapshots().values()) {
            boolean answered = s.primaryProbe().reach() == Reach.ANSWERED;
            up.add(MultiGauge.Row.of(Tags.of("group", s.group(), "instance", s.primary().instance(), "role", "primary"), answered ? 1 : 0));
            if (answered && s.primaryProbe().heartbeatCommit() != null) {
                hb.add(MultiGauge.Row.of(Tags.of("group", s.group(), "instance", s.primary().instance()), s.primaryProbe().heartbeatCommit().toNanos() / 1e9));
            }
            for (ReplicaView r : s.replicas()) {
                up.add(MultiGauge.Row.of(Tags.of("group", s.group(), "instance", r.member().instance(), "role", "replica"), r.reachable() ? 1 : 0));
            }
        }
        instanceUp.register(up, true);
        heartbeat.register(hb, true);
        List<Monitor.Incident> incidents = m.incidents();
        for (; countedIncidents < incidents.size(); countedIncidents++) {
            Monitor.Incident inc = incidents.get(countedIncidents);
            Tags t = Tags.of("group", inc.group(), "code", String.valueOf(inc.code()), "outcome", inc.result().outcome().name().toLowerCase());
            // the duration first: a scrape that shows the count shows the duration too
            Duration took = Duration.ofNanos(inc.endedNanos() - inc.suspectedNanos());
            Timer.builder("shardkit_failover_duration").description("first seen failing to recovery end").tags(t).register(registry).record(took);
            Counter.builder("shardkit_failovers").description("automatic recoveries by analysis code and outcome").tags(t).register(registry).increment();
            LOG.info("recovery {} of {} ({}) counted: {}, {} ms from first seen failing", inc.result().id(), inc.group(), inc.code(), inc.result().outcome(), took.toMillis());
        }
    }

    /** Merge and verify figures from the catalog. */
    public void refreshCatalog(Catalog c) {
        Instant now = Instant.now();
        List<MultiGauge.Row<?>> copied = new ArrayList<>();
        List<MultiGauge.Row<?>> total = new ArrayList<>();
        List<MultiGauge.Row<?>> rate = new ArrayList<>();
        c.query("SELECT job_id, source_group, SUM(rows_copied), SUM(COALESCE(rows_total, 0)) FROM copy_checkpoints GROUP BY job_id, source_group", rs -> {
            while (rs.next()) {
                Tags t = Tags.of("job", rs.getString(1), "source", rs.getString(2));
                long rows = rs.getLong(3);
                copied.add(MultiGauge.Row.of(t, rows));
                total.add(MultiGauge.Row.of(t, rs.getLong(4)));
                long[] before = lastCopied.put(rs.getString(1) + "/" + rs.getString(2), new long[] {rows, now.toEpochMilli()});
                if (before != null && now.toEpochMilli() > before[1]) rate.add(MultiGauge.Row.of(t, (rows - before[0]) * 1000.0 / (now.toEpochMilli() - before[1])));
            }
            return null;
        });
        rowsCopied.register(copied, true);
        rowsTotal.register(total, true);
        copyRate.register(rate, true);
        checkpointAge.register(rows(c, "SELECT o.job_id, o.source_group, o.updated_at FROM stream_offsets o JOIN jobs j ON j.job_id = o.job_id"
                + " WHERE j.state IN ('COPYING', 'STREAMING', 'VERIFYING', 'PAUSED', 'CUTTING_OVER')", now, "source"), true);
        List<MultiGauge.Row<?>> states = new ArrayList<>();
        c.query("SELECT job_id, state FROM jobs", rs -> {
            while (rs.next()) states.add(MultiGauge.Row.of(Tags.of("job", rs.getString(1), "state", rs.getString(2)), 1));
            return null;
        });
        jobState.register(states, true);
        List<MultiGauge.Row<?>> vAge = new ArrayList<>();
        List<MultiGauge.Row<?>> vClean = new ArrayList<>();
        c.query("SELECT v.job_id, v.finished_at, v.mismatched_rows + v.mismatched_chunks FROM verify_runs v WHERE v.finished_at IS NOT NULL AND v.run_id ="
                + " (SELECT MAX(w.run_id) FROM verify_runs w WHERE w.job_id = v.job_id AND w.finished_at IS NOT NULL)", rs -> {
                    while (rs.next()) {
                        Tags t = Tags.of("job", rs.getString(1));
                        vAge.add(MultiGauge.Row.of(t, Duration.between(rs.getTimestamp(2).toInstant(), now).toMillis() / 1000.0));
                        vClean.add(MultiGauge.Row.of(t, rs.getLong(3) == 0 ? 1 : 0));
                    }
                    return null;
                });
        verifyAge.register(vAge, true);
        verifyClean.register(vClean, true);
    }

    private static List<MultiGauge.Row<?>> rows(Catalog c, String sql, Instant now, String secondTag) {
        return c.query(sql, rs -> {
            List<MultiGauge.Row<?>> out = new ArrayList<>();
            while (rs.next()) {
                Timestamp at = rs.getTimestamp(3);
                out.add(MultiGauge.Row.of(Tags.of("job", rs.getString(1), secondTag, rs.getString(2)), Duration.between(at.toInstant(), now).toMillis() / 1000.0));
            }
            return out;
        });
    }

    /** Serves /metrics and /health on {@code address} (host:port; port 0 picks one); returns the bound address. */
    public InetSocketAddress serve(String address, Supplier<String> health) throws IOException {
        int colon = address.lastIndexOf(':');
        if (colon < 0) throw new IllegalArgumentException("--metrics " + address + ": expected HOST:PORT");
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--metrics " + address + ": port '" + address.substring(colon + 1) + "' is not a number");
        }
        http = HttpServer.create(new InetSocketAddress(address.substring(0, colon), port), 16);
        http.createContext("/metrics", ex -> answer(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
        http.createContext("/health", ex -> answer(ex, 200, "application/json", health.get()));
        http.setExecutor(java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "daemon-metrics");
            t.setDaemon(true);
            return t;
        }));
        http.start();
        return http.getAddress();
    }

    private static void answer(com.sun.net.httpserver.HttpExchange ex, int code, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(code, b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }

    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        if (http != null) http.stop(0);
        registry.close();
    }
}
