package io.shardkit.shell.commands;

import io.shardkit.catalog.Catalog;
import io.shardkit.failover.FailoverSettings;
import io.shardkit.failover.Failovers;
import io.shardkit.failover.Monitor;
import io.shardkit.failover.probe.ProbeSettings;
import io.shardkit.failover.recovery.Recovery;
import io.shardkit.schedule.Leadership;
import io.shardkit.shell.Context;
import io.shardkit.shell.ScheduledRuns;
import io.shardkit.shell.daemon.DaemonMetrics;
import io.shardkit.shell.daemon.DaemonSettings;
import io.shardkit.shell.daemon.FleetDuties;
import io.shardkit.topology.Topology;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The daemon's fleet duties wired from its settings: leadership, monitor, schedules, metrics. */
final class FleetRun implements AutoCloseable {
    /** The monitor's lines go to the daemon's log under the daemon's logger (INFO there). */
    private static final Logger LOG = LoggerFactory.getLogger(FleetDuties.class);
    private final String id;
    private final Leadership leadership;
    private final DaemonMetrics metrics;
    private final FleetDuties duties;
    private final InetSocketAddress metricsAddress;
    private final String fleet;

    private FleetRun(String id, Leadership leadership, DaemonMetrics metrics, FleetDuties duties, InetSocketAddress metricsAddress, String fleet) {
        this.id = id;
        this.leadership = leadership;
        this.metrics = metrics;
        this.duties = duties;
        this.metricsAddress = metricsAddress;
        this.fleet = fleet;
    }

    /** Checks every setting first (a bad one changes nothing), then starts the duties. */
    static FleetRun start(Context ctx, DaemonSettings cfg, Catalog catalog) throws Exception {
        String id = cfg.id() != null ? cfg.id() : java.net.InetAddress.getLocalHost().getHostName() + ":" + ProcessHandle.current().pid();
        Duration session = cfg.zkSession() == null ? Leadership.DEFAULT_SESSION : Durations.parse("--zk-session", cfg.zkSession());
        Supplier<Monitor> monitors = null;
        java.util.function.Function<String, io.shardkit.merge.MergeStatus> mergeStatus = null;
        String fleet = "no fleet to monitor (give --topology or --sandbox)";
        if (cfg.topology() != null || cfg.sandbox() != null) {
            TopologyOptions topo = new TopologyOptions();
            topo.file = cfg.topology();
            topo.sandbox = cfg.sandbox();
            Topology t = topo.load(ctx);
            List<String> groups = List.copyOf(t.groups().keySet());
            for (String g : groups) Failovers.requireEndpoint(t, t.group(g));
            FailoverSettings defaults = FailoverSettings.defaults(TopologyOptions.admin(ctx, t));
            ProbeSettings p = ProbeSettings.DEFAULT;
            Duration every = cfg.interval() == null ? Duration.ofMillis(500) : Durations.parse("--interval", cfg.interval());
            Duration lag = cfg.maxLag() == null ? Duration.ofSeconds(60) : Durations.parse("--max-lag", cfg.maxLag());
            FailoverSettings settings = new FailoverSettings(defaults.admin(), new ProbeSettings(every, p.connect(), p.answer(), p.hostExec()), defaults.analysis(),
                    defaults.antiFlap(), lag);
            var servers = FailoverCommand.servers(ctx, t);
            monitors = () -> {
                Monitor m = new Monitor(t, settings, catalog, servers, Recovery.Settings.DEFAULT, line -> LOG.info("monitor: {}", line));
                m.start(groups);
                return m;
            };
            fleet = "fleet " + t.source() + " (" + groups.size() + " groups)";
            var admin = TopologyOptions.admin(ctx, t);
            var jobs = new io.shardkit.merge.JobStore(catalog);
            mergeStatus = job -> io.shardkit.merge.MergeStatus.read(jobs.plan(job), jobs, admin);
        }
        Leadership leadership = null;
        DaemonMetrics metrics = null;
        FleetDuties duties = null;
        try {
            if (cfg.zk() != null) {
                leadership = new Leadership(cfg.zk(), cfg.zkPath() == null ? "/shardkit/leader" : cfg.zkPath(), id, session);
            }
            Leadership l = leadership;
            FleetDuties[] holder = new FleetDuties[1];
            metrics = new DaemonMetrics(id, () -> holder[0] != null && holder[0].leading());
            duties = new FleetDuties(id, leadership, monitors, catalog, ScheduledRuns.logged(ctx), metrics, mergeStatus);
            holder[0] = duties;
            InetSocketAddress bound = cfg.metrics() == null ? null : metrics.serve(cfg.metrics(), holder[0]::health);
            if (l != null) l.start();
            duties.start();
            return new FleetRun(id, leadership, metrics, duties, bound, fleet);
        } catch (Exception | Error e) {
            if (duties != null) duties.close();
            if (metrics != null) metrics.close();
            if (leadership != null) leadership.close();
            throw e;
        }
    }

    void describe(PrintWriter out) {
        out.println("daemon " + id + ": " + fleet + "; " + (leadership == null ? "leads alone (no --zk)" : "elects a leader through ZooKeeper")
                + (metricsAddress == null ? "" : "; metrics on http://" + metricsAddress.getHostString() + ":" + metricsAddress.getPort() + "/metrics"));
    }

    @Override
    public void close() {
        duties.close();
        if (leadership != null) leadership.close();
        metrics.close();
    }
}
