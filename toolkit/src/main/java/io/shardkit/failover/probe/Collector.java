package io.shardkit.failover.probe;

import io.shardkit.failover.analysis.GroupSnapshot;
import io.shardkit.failover.analysis.HostAnswer;
import io.shardkit.failover.analysis.Member;
import io.shardkit.failover.analysis.PrimaryProbe;
import io.shardkit.failover.analysis.Reach;
import io.shardkit.failover.analysis.ReplicaView;
import io.shardkit.failover.analysis.VantageProbe;
import io.shardkit.mysql.ConnectionSettings;
import io.shardkit.mysql.Connections;
import io.shardkit.mysql.Credential;
import io.shardkit.mysql.Queries;
import io.shardkit.topology.Discovery;
import io.shardkit.topology.HostCommands;
import io.shardkit.topology.InstanceState;
import io.shardkit.topology.Topology;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Collects what the analyzer judges: for one group at one moment, the manager's probe of the
 * primary and each replica's own view, all at once (parallel, fail-fast); and when the primary
 * probe failed, whether its host still runs a command and whether hosts of other zones reach it.
 * Stateful across collections in one thing: when each replica's received position last moved,
 * since a busy source sends no heartbeats (see {@link io.shardkit.mysql.Flavor#lastHeartbeatAgeQuery}).
 */
public final class Collector implements AutoCloseable {
    private final Topology topology;
    private final Credential admin;
    private final ProbeSettings settings;
    private final PrimaryProber prober;
    private final Clock clock;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "failover-probe");
        t.setDaemon(true);
        return t;
    });
    /** Per replica: its received position at the last collection, and when it was last seen to change. */
    private final Map<String, Moved> moved = new ConcurrentHashMap<>();

    private record Moved(String position, Instant at) {}

    /** Per instance: how long the manager's last probe of it took, answered or not (the metrics' probe latency). */
    private final Map<String, Duration> probeTimes = new ConcurrentHashMap<>();

    /** How long the last probe of each instance took, from connect to its last answer (or to the failure). */
    public Map<String, Duration> probeTimes() {
        return Map.copyOf(probeTimes);
    }

    private <T> T timed(String instance, Callable<T> probe) throws Exception {
        long start = System.nanoTime();
        try {
            return probe.call();
        } finally {
            probeTimes.put(instance, Duration.ofNanos(System.nanoTime() - start));
        }
    }

    public Collector(Topology topology, Credential admin, ProbeSettings settings, Clock clock) {
        this.topology = topology;
        this.admin = admin;
        this.settings = settings;
        this.prober = new PrimaryProber(admin, settings);
        this.clock = clock;
    }

    /**
     * One snapshot of {@code group}, whose primary is (or was last) {@code primary}. The primary's
     * executed GTIDs are read once more after every replica's: read before, a transaction the
     * primary committed meanwhile would look errant on the replica that already applied it.
     */
    public GroupSnapshot collect(String group, String primary) {
        Topology.Group g = topology.group(group);
        Future<PrimaryProbe> probe = pool.submit(() -> timed(primary, () -> prober.probe(group, topology.instance(primary).endpoint())));
        Map<String, Future<ReplicaView>> views = new java.util.LinkedHashMap<>();
        for (String m : g.instanceNames()) {
            if (!m.equals(primary)) views.put(m, pool.submit(() -> timed(m, () -> replica(g, m, primary))));
        }
        PrimaryProbe p = get(probe, () -> PrimaryProbe.failed(Reach.TIMED_OUT, "probe did not finish"));
        List<ReplicaView> replicas = new ArrayList<>();
        views.forEach((m, f) -> replicas.add(get(f, () -> ReplicaView.unreachable(Member.of(topology, g, m), "probe did not finish"))));
        if (p.reach() == Reach.ANSWERED) p = p.withExecuted(prober.executed(topology.instance(primary).endpoint()));
        GroupSnapshot s = new GroupSnapshot(group, clock.instant(), Member.of(topology, g, primary), p, replicas);
        if (p.reach() == Reach.ANSWERED && (p.heartbeatCommit() == null || p.heartbeatCommit().compareTo(settings.answer()) < 0)) return s;
        // suspicion: ask the host and the other zones, in parallel
        Future<HostAnswer> host = pool.submit(() -> hostAnswer(topology.hostOf(primary)));
        List<Future<VantageProbe>> vantages = new ArrayList<>();
        for (Topology.Host h : vantageHosts(topology.zoneOf(primary))) vantages.add(pool.submit(() -> vantage(h, topology.instance(primary))));
        List<VantageProbe> vs = new ArrayList<>();
        for (Future<VantageProbe> f : vantages) {
            VantageProbe v = get(f, () -> null);
            if (v != null) vs.add(v); // a host the manager could not ask is no witness either way
        }
        return s.withHost(get(host, () -> HostAnswer.SILENT)).withVantages(vs);
    }

    /** A replica's own view, with its source resolved to a member and the silence since it last heard from it. */
    private ReplicaView replica(Topology.Group g, String instance, String primary) {
        Member member = Member.of(topology, g, instance);
        Instant at = clock.instant();
        ConnectionSettings cs = new ConnectionSettings(settings.connect(), settings.answer(), false, false);
        try (Connection c = Connections.open(topology.instance(instance).endpoint(), admin, cs)) {
            InstanceState s = Discovery.read(instance, c, at);
            if (s.replica() == null) return ReplicaView.from(member, s, null, null);
            String source = sourceName(g, s.replica().sourceHost(), s.replica().sourcePort(), primary);
            return ReplicaView.from(member, s, source, sinceLastHeard(c, s, at));
        } catch (SQLException e) {
            return ReplicaView.unreachable(member, io.shardkit.mysql.SqlErrors.describe(e));
        }
    }

    /**
     * The shorter of the heartbeat's age and the time since the received position last moved; null
     * when neither is known (no heartbeat reading and no movement seen yet counts as not known, never
     * as silence: an unknown must not make a live primary look dead).
     */
    private Duration sinceLastHeard(Connection c, InstanceState s, Instant at) {
        Duration beat = null;
        try {
            Queries.execute(c, "SET SESSION time_zone = 'SYSTEM'");
            String micros = Queries.string(c, s.flavor().lastHeartbeatAgeQuery());
            if (micros != null) beat = Duration.ofNanos(Math.max(0, Long.parseLong(micros)) * 1000);
        } catch (SQLException | NumberFormatException unknown) {
            // performance_schema off (MySQL): no heartbeat reading
        }
        String position = s.replica().sourceLogFile() + ":" + s.replica().readSourceLogPos() + ":"
                + (s.replica().receivedGtid() == null ? "" : s.replica().receivedGtid().format());
        Moved last = moved.get(s.instance());
        Duration sinceMove = null;
        if (last == null || !last.position().equals(position)) {
            moved.put(s.instance(), new Moved(position, at));
            if (last != null) sinceMove = Duration.ZERO;
        } else {
            sinceMove = Duration.between(last.at(), at);
        }
        if (beat == null) return null; // without heartbeats, an idle source's stillness would read as silence
        // a busy source sends no heartbeats, so an old heartbeat is silence only once the position is seen still too; at
        // the first look (a monitor just started) only a fresh heartbeat says anything: it was heard
        if (sinceMove == null) return beat.compareTo(FRESH) <= 0 ? beat : null;
        return beat.compareTo(sinceMove) < 0 ? beat : sinceMove;
    }

    /** The member a replica's source address belongs to: an instance's own address, or the group's writer IP (its primary). */
    private String sourceName(Topology.Group g, String host, int port, String primary) {
        if (host == null || host.isBlank()) return null;
        if (host.equals(g.writerIp())) return primary;
        for (Topology.Instance i : topology.instances().values()) {
            if (i.ip().equals(host) && i.port() == port) return i.name();
        }
        return host + ":" + port;
    }

    private static final Duration FRESH = Duration.ofSeconds(1);

    private HostAnswer hostAnswer(Topology.Host host) {
        if (!HostCommands.reachable(host)) return HostAnswer.NOT_PROBED;
        try {
            return HostCommands.run(host, List.of("true"), settings.hostExec()).ok() ? HostAnswer.ANSWERS : HostAnswer.SILENT;
        } catch (Exception e) {
            return HostAnswer.SILENT;
        }
    }

    /** One host with exec access in each zone other than the primary's. */
    private List<Topology.Host> vantageHosts(String primaryZone) {
        List<Topology.Host> out = new ArrayList<>();
        java.util.Set<String> zones = new java.util.HashSet<>();
        for (Topology.Host h : topology.hosts().values()) {
            if (h.zone().equals(primaryZone) || !HostCommands.reachable(h) || !zones.add(h.zone())) continue;
            out.add(h);
        }
        return out;
    }

    /**
     * The primary probed from another host's network: a TCP connect and the server's first bytes
     * (the handshake a live mysqld sends at once). Exit 0: it answered; 3: it accepted the connection
     * and said nothing (stalled); 2 with "refused": refused; anything else: timed out. Null when the
     * manager could not ask that host (ssh failed, no answer by the deadline): no testimony.
     */
    private VantageProbe vantage(Topology.Host from, Topology.Instance target) {
        String script = "exec 3<>/dev/tcp/" + target.ip() + "/" + target.port() + " || exit 2; timeout 1 head -c 1 <&3 >/dev/null && exit 0 || exit 3";
        try {
            HostCommands.Result r = HostCommands.run(from, List.of("timeout", "1.5", "bash", "-c", script), settings.hostExec().plusMillis(500));
            // 255 is ssh's own failure (the manager could not reach that host); -1 is our deadline: that host was not asked
            if (r.exit() == 255 || r.timedOut()) return null;
            Reach reach = switch (r.exit()) {
                case 0 -> Reach.ANSWERED;
                case 3 -> Reach.STALLED;
                case 2, 1 -> r.output().contains("refused") ? Reach.REFUSED : Reach.TIMED_OUT;
                default -> Reach.TIMED_OUT;
            };
            return reach == Reach.ANSWERED ? VantageProbe.answered(from.zone(), from.name())
                    : VantageProbe.failed(from.zone(), from.name(), reach, r.output().strip());
        } catch (Exception e) {
            return null;
        }
    }

    private <T> T get(Future<T> f, Callable<T> fallback) {
        try {
            return f.get(settings.connect().plus(settings.answer()).plus(settings.hostExec()).toMillis() + 1000, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            f.cancel(true);
            try {
                return fallback.call();
            } catch (Exception x) {
                throw new IllegalStateException(x.getMessage(), x);
            }
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
