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
import io.shardkit.merge.MergeStatus;
import io.shardkit.schedule.ScheduleRun;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The daemon's Prometheus metrics (Micrometer) and its {@code /metrics} and {@code /health}
 * endpoints. Failover and probe figures come from the monitor's last round and its incidents;
 * merge and verify figures from the catalog, refreshed by {@link #refreshCatalog} (every shardkit
 * process writes there, so a merge started from any shell shows up).
 */
public final class DaemonMetrics implements AutoCloseable {
    /** Job states in which a process streams or copies: their progress is read from the target. */
    private static final Set<io.shardkit.merge.JobState> RUNNING = java.util.EnumSet.of(io.shardkit.merge.JobState.COPYING,
            io.shardkit.merge.JobState.STREAMING, io.shardkit.merge.JobState.VERIFYING, io.shardkit.merge.JobState.PAUSED);
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DaemonMetrics.class);
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** Incidents already counted: the monitor's list only grows. */
    private int countedIncidents;
    private final MultiGauge instanceUp;
    private final MultiGauge probeTime;
    private final MultiGauge heartbeat;
    private final MultiGauge rowsCopied;
    private final MultiGauge rowsTotal;
    private final MultiGauge copyRate;
    private final MultiGauge checkpointAge;
    private final MultiGauge streamBehind;
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
        probeTime = MultiGauge.builder("shardkit_instance_probe_seconds")
                .description("how long the monitor's last probe of an instance took (connect, read state, heartbeat on a primary), answered or not")
                .baseUnit("seconds").register(registry);
        heartbeat = MultiGauge.builder("shardkit_primary_heartbeat_commit_seconds").description("time the primary took to commit the monitor's heartbeat write")
                .baseUnit("seconds").register(registry);
        rowsCopied = MultiGauge.builder("shardkit_merge_rows_copied").description("rows a merge job has copied from a source").register(registry);
        rowsTotal = MultiGauge.builder("shardkit_merge_rows_planned").description("rows a merge job's copy plans to copy from a source (estimate)").register(registry);
        streamBehind = MultiGauge.builder("shardkit_merge_stream_transactions_behind").description("transactions a source has committed that its stream has not applied")
                .register(registry);
        copyRate = MultiGauge.builder("shardkit_merge_copy_rows_per_second").description("copy rate over the last refresh interval").register(registry);
        checkpointAge = MultiGauge.builder("shardkit_merge_stream_last_apply_age_seconds")
                .description("time since a source stream last applied a change: grows when the stream stalls (or the source is idle)").baseUnit("seconds").register(registry);
        jobState = MultiGauge.builder("shardkit_merge_job_state").description("1 for a job's current state").register(registry);
        verifyAge = MultiGauge.builder("shardkit_verify_last_run_age_seconds").description("age of a job's newest finished verify").baseUnit("seconds").register(registry);
        verifyClean = MultiGauge.builder("shardkit_verify_last_run_clean").description("1 when a job's newest finished verify found no difference").register(registry);
    }

    private static void probed(List<MultiGauge.Row<?>> rows, Map<String, Duration> times, String group, String instance) {
        Duration t = times.get(instance);
        if (t != null) rows.add(MultiGauge.Row.of(Tags.of("group", group, "instance", instance), t.toNanos() / 1e9));
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
        List<MultiGauge.Row<?>> probes = new ArrayList<>();
        Map<String, Duration> times = m.probeTimes();
        for (GroupSnapshot s : m.lastSnapshots().values()) {
            boolean answered = s.primaryProbe().reach() == Reach.ANSWERED;
            up.add(MultiGauge.Row.of(Tags.of("group", s.group(), "instance", s.primary().instance(), "role", "primary"), answered ? 1 : 0));
            probed(probes, times, s.group(), s.primary().instance());
            if (answered && s.primaryProbe().heartbeatCommit() != null) {
                hb.add(MultiGauge.Row.of(Tags.of("group", s.group(), "instance", s.primary().instance()), s.primaryProbe().heartbeatCommit().toNanos() / 1e9));
            }
            for (ReplicaView r : s.replicas()) {
                up.add(MultiGauge.Row.of(Tags.of("group", s.group(), "instance", r.member().instance(), "role", "replica"), r.reachable() ? 1 : 0));
                probed(probes, times, s.group(), r.member().instance());
            }
        }
        instanceUp.register(up, true);
        probeTime.register(probes, true);
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

    /**
     * Merge and verify figures: job states and verify results from the catalog; for each job still
     * running, its progress as {@code merge status} reads it ({@code status} null: no topology to
     * read targets with, states and verify results only).
     */
    public void refreshCatalog(Catalog c, java.util.function.Function<String, MergeStatus> status) {
        Instant now = Instant.now();
        List<MultiGauge.Row<?>> states = new ArrayList<>();
        List<String> running = new ArrayList<>();
        c.query("SELECT job_id, state FROM jobs", rs -> {
            while (rs.next()) {
                states.add(MultiGauge.Row.of(Tags.of("job", rs.getString(1), "state", rs.getString(2)), 1));
                if (RUNNING.contains(io.shardkit.merge.JobState.valueOf(rs.getString(2)))) running.add(rs.getString(1));
            }
            return null;
        });
        jobState.register(states, true);
        List<MultiGauge.Row<?>> copied = new ArrayList<>();
        List<MultiGauge.Row<?>> planned = new ArrayList<>();
        List<MultiGauge.Row<?>> rate = new ArrayList<>();
        List<MultiGauge.Row<?>> behind = new ArrayList<>();
        List<MultiGauge.Row<?>> sinceApply = new ArrayList<>();
        for (String job : status == null ? List.<String>of() : running) {
            MergeStatus ms;
            try {
                ms = status.apply(job);
            } catch (RuntimeException e) {
                continue; // a target that does not answer now: the next refresh
            }
            Map<String, long[]> bySource = new java.util.TreeMap<>();
            for (MergeStatus.TableProgress t : ms.tables()) {
                long[] v = bySource.computeIfAbsent(t.source(), k -> new long[2]);
                v[0] += t.copied();
                v[1] += t.planned();
            }
            bySource.forEach((source, v) -> {
                Tags t = Tags.of("job", job, "source", source);
                copied.add(MultiGauge.Row.of(t, v[0]));
                planned.add(MultiGauge.Row.of(t, v[1]));
                long[] before = lastCopied.put(job + "/" + source, new long[] {v[0], now.toEpochMilli()});
                if (before != null && now.toEpochMilli() > before[1]) rate.add(MultiGauge.Row.of(t, (v[0] - before[0]) * 1000.0 / (now.toEpochMilli() - before[1])));
            });
            for (MergeStatus.StreamProgress sp : ms.streams()) {
                Tags t = Tags.of("job", job, "source", sp.source());
                if (sp.transactionsBehind() >= 0) behind.add(MultiGauge.Row.of(t, sp.transactionsBehind()));
                if (sp.sinceLastApply() != null) sinceApply.add(MultiGauge.Row.of(t, sp.sinceLastApply().toMillis() / 1000.0));
            }
        }
        rowsCopied.register(copied, true);
        rowsTotal.register(planned, true);
        copyRate.register(rate, true);
        streamBehind.register(behind, true);
        checkpointAge.register(sinceApply, true);
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
