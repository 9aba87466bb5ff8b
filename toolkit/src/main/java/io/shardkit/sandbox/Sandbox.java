package io.shardkit.sandbox;

import io.shardkit.mysql.Connections;
import io.shardkit.mysql.ConnectionSettings;
import io.shardkit.mysql.Credential;
import io.shardkit.mysql.Flavor;
import io.shardkit.mysql.Queries;
import io.shardkit.mysql.ReplicationSource;
import io.shardkit.mysql.Secret;
import io.shardkit.mysql.SqlErrors;
import io.shardkit.mysql.Statement;
import io.shardkit.topology.Topology;
import io.shardkit.topology.TopologyFile;
import io.shardkit.topology.TopologyWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A local fleet of real mariadbd/mysqld processes: hosts as network namespaces (or loopback
 * addresses), several instances per host on their own IPs at port 3306, GTID replication per group.
 */
public final class Sandbox {
    public static final String STATE_FILE = "sandbox.json";
    public static final String TOPOLOGY_FILE = "topology.yaml";
    public static final String CREDENTIALS_FILE = "credentials.cnf";
    private static final Duration READY_DEADLINE = Duration.ofSeconds(90);

    private final Path dir;
    private final SandboxState state;
    private final SandboxLayout layout;
    private final ServerKit kit;
    private final Network network;
    private final Path cache;

    private Sandbox(Path dir, SandboxState state, Path cache) {
        this.dir = dir;
        this.state = state;
        this.layout = SandboxLayout.of(state.spec(), state.slot(), state.netns());
        this.kit = ServerKit.of(state.spec().flavor());
        this.network = state.netns() ? new NetnsNetwork() : new LoopbackNetwork();
        this.cache = cache;
    }

    /** Where sandboxes live under a state directory. */
    public static Path dirOf(Path home, String name) {
        return home.resolve("sandboxes").resolve(name);
    }

    /** The machine-wide cache for server binaries and template datadirs. */
    public static Path defaultCache() {
        String env = System.getenv("SHARDKIT_CACHE");
        return env != null ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "shardkit");
    }

    public static Sandbox open(Path home, String name) {
        Path dir = dirOf(home, name);
        if (!Files.exists(dir.resolve(STATE_FILE))) {
            throw new SandboxException("no sandbox '" + name + "' under " + home + " (start one with 'shardkit sandbox up')");
        }
        return new Sandbox(dir, SandboxState.load(dir.resolve(STATE_FILE)), defaultCache());
    }

    public static List<String> list(Path home) {
        Path root = home.resolve("sandboxes");
        if (!Files.isDirectory(root)) return List.of();
        try (var s = Files.list(root)) {
            return s.filter(p -> Files.exists(p.resolve(STATE_FILE))).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Brings a fleet up; on any failure removes whatever it made and rethrows. */
    public static Sandbox up(SandboxSpec spec, Path home, Consumer<String> progress) {
        boolean netns = switch (spec.isolation()) {
            case NETNS -> {
                if (!Slots.isRoot()) throw new SandboxException("--isolation netns needs root (network namespaces); use --isolation loopback");
                yield true;
            }
            case LOOPBACK -> false;
            case AUTO -> Slots.isRoot() && Exec.available("ip");
        };
        Path dir = dirOf(home, spec.name());
        if (Files.exists(dir.resolve(STATE_FILE))) {
            throw new SandboxException("sandbox '" + spec.name() + "' already exists under " + home + ": 'shardkit sandbox down --name " + spec.name() + "' first");
        }
        SandboxLayout.of(spec, 0, netns); // a layout that cannot work (--listen-for clashes) fails before anything is claimed
        ServerKit.of(spec.flavor()).template(defaultCache()); // fail on missing binaries before claiming anything
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new SandboxException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        int slot = Slots.claim(dir);
        SandboxState state = new SandboxState(dir.resolve(STATE_FILE), spec, slot, netns);
        state.save();
        Sandbox sb = new Sandbox(dir, state, defaultCache());
        try {
            sb.create(progress);
            return sb;
        } catch (RuntimeException e) {
            progress.accept("sandbox up failed, removing what it made: " + e.getMessage());
            sb.down();
            throw e;
        }
    }

    private void create(Consumer<String> progress) {
        long t0 = System.nanoTime();
        network.create(layout, state);
        progress.accept(String.format("network: %d hosts in %d zones (%s)", layout.hosts().size(), layout.spec().zones(),
                state.netns() ? "netns, " + layout.subnet() : "loopback"));
        Path template = kit.template(cache);
        Map<String, Secret> passwords = new LinkedHashMap<>();
        SecureRandom random = new SecureRandom();
        Users.ALL.forEach(u -> passwords.put(u, Users.newPassword(random)));
        writePrivate(dir.resolve(CREDENTIALS_FILE), Users.optionFile(passwords));
        String init = Users.bootstrap(kit.flavor(), passwords).stream().map(Statement::sql).collect(Collectors.joining(";\n", "", ";\n"));
        for (SandboxLayout.InstanceLayout i : layout.instances()) {
            ServerKit.InstanceFiles f = files(i.name());
            try {
                Files.createDirectories(f.dir());
                Files.createDirectories(f.socket().getParent());
            } catch (IOException e) {
                throw new SandboxException("cannot create " + f.dir() + ": " + e.getMessage(), e);
            }
            Exec.check("cp", "-a", "--sparse=always", template.toString(), f.dataDir().toString());
            writePrivate(f.initFile(), init);
            write(f.config(), kit.config(f, bindAddresses(i), i.serverId(), i.ip()));
        }
        parallel(layout.instances(), i -> { start(i, true); return null; });
        long started = System.nanoTime();
        progress.accept(String.format("instances: %d %s servers ready in %.1f s", layout.instances().size(), kit.describe(), (started - t0) / 1e9));
        for (SandboxLayout.InstanceLayout i : layout.instances()) deleteQuietly(files(i.name()).initFile());
        Credential admin = admin();
        Credential repl = credential("shardkit-repl");
        parallel(layout.groups(), g -> { wire(g, admin, repl); return null; });
        if (state.netns()) {
            for (SandboxLayout.GroupLayout g : layout.groups()) {
                network.addAddress(layout, layout.host(layout.instance(g.primary()).host()), g.writerIp());
            }
        }
        TopologyWriter.write(layout.topology(topologyFile(), dir.resolve(CREDENTIALS_FILE)), topologyFile());
        state.phase("up");
        progress.accept(String.format("replication: %d groups wired (GTID%s) in %.1f s; fleet up in %.1f s", layout.groups().size(),
                kit.flavor().family() == io.shardkit.mysql.FlavorFamily.MARIADB ? ", semi-sync" : "",
                (System.nanoTime() - started) / 1e9, (System.nanoTime() - t0) / 1e9));
    }

    private List<String> bindAddresses(SandboxLayout.InstanceLayout i) {
        List<String> bind = new ArrayList<>(List.of(i.ip()));
        String writer = layout.group(i.group()).writerIp();
        if (writer != null) bind.add(writer);
        for (String other : layout.spec().listenFor().getOrDefault(i.group(), List.of())) {
            String w = layout.group(other).writerIp();
            if (w != null && !bind.contains(w)) bind.add(w);
        }
        return bind;
    }

    /** Points every replica of a group at its primary and opens the primary for writes. */
    private void wire(SandboxLayout.GroupLayout g, Credential admin, Credential repl) throws SQLException {
        Flavor flavor = kit.flavor();
        SandboxLayout.InstanceLayout primary = layout.instance(g.primary());
        try (Connection c = Connections.open(new io.shardkit.mysql.Endpoint(primary.ip(), SandboxLayout.PORT), admin, ConnectionSettings.ADMIN)) {
            Queries.execute(c, flavor.unfence());
        }
        for (String m : g.members()) {
            if (m.equals(g.primary())) continue;
            SandboxLayout.InstanceLayout r = layout.instance(m);
            try (Connection c = Connections.open(new io.shardkit.mysql.Endpoint(r.ip(), SandboxLayout.PORT), admin, ConnectionSettings.ADMIN)) {
                Queries.execute(c, flavor.changeSource(new ReplicationSource(primary.ip(), SandboxLayout.PORT, repl.user(), repl.password())));
                Queries.execute(c, flavor.startReplica());
                Queries.execute(c, flavor.fence());
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (true) {
                    var rows = Queries.rows(c, flavor.replicaStatusQuery());
                    var st = rows.isEmpty() ? null : flavor.parseReplicaStatus(rows.getFirst());
                    if (st != null && st.healthy()) break;
                    if (System.nanoTime() > deadline) {
                        throw new SandboxException("replica " + m + " did not start replicating from " + g.primary() + ": "
                                + (st == null ? "no status" : st.lastIoError() + " " + st.lastSqlError()));
                    }
                    sleep(50);
                }
            }
        }
    }

    private ServerKit.InstanceFiles files(String instance) {
        Path sockets = Path.of(System.getProperty("java.io.tmpdir"), "shardkit-sock", "slot-" + state.slot());
        return ServerKit.InstanceFiles.under(dir.resolve("instances").resolve(instance), sockets, instance);
    }

    private void start(SandboxLayout.InstanceLayout i, boolean first) {
        ServerKit.InstanceFiles f = files(i.name());
        List<String> cmd = new ArrayList<>();
        cmd.add("setsid");
        cmd.addAll(network.onHost(layout.host(i.host())));
        cmd.addAll(kit.command(f, first));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(kit.environment());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(f.dir().resolve("stdout.log").toFile()));
        pb.redirectErrorStream(true);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new SandboxException("cannot start " + i.name() + ": " + e.getMessage(), e);
        }
        state.setPid(i.name(), p.pid());
        awaitReady(i, p);
    }

    private void awaitReady(SandboxLayout.InstanceLayout i, Process p) {
        Credential admin = admin();
        long deadline = System.nanoTime() + READY_DEADLINE.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new SandboxException("instance " + i.name() + " (" + i.ip() + ") exited during start; its log " + files(i.name()).errorLog() + " ends with:\n" + tail(files(i.name()).errorLog()));
            }
            try (Connection c = Connections.open(new io.shardkit.mysql.Endpoint(i.ip(), SandboxLayout.PORT), admin, ConnectionSettings.PROBE)) {
                return;
            } catch (SQLException e) {
                last = SqlErrors.describe(e);
            }
            sleep(50);
        }
        throw new SandboxException("instance " + i.name() + " (" + i.ip() + ") not ready after " + READY_DEADLINE.toSeconds() + " s: " + last);
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    public Credential admin() {
        return credential("shardkit-admin");
    }

    /** The application user: plain DML, no privilege that passes read_only (what a cutover freeze stops). */
    public Credential app() {
        return credential("shardkit-app");
    }

    private Credential credential(String section) {
        return io.shardkit.mysql.CredentialRef.optionFile(null, dir.resolve(CREDENTIALS_FILE), section).resolve();
    }

    public Path dir() { return dir; }

    public Path topologyFile() { return dir.resolve(TOPOLOGY_FILE); }

    public Topology topology() { return TopologyFile.load(topologyFile()); }

    public SandboxLayout layout() { return layout; }

    public boolean netns() { return state.netns(); }

    public String flavorDescription() { return kit.describe(); }

    public List<InstanceStatus> status() {
        Map<String, Long> pids = state.pids();
        return layout.instances().stream().map(i -> {
            Long pid = pids.get(i.name());
            return new InstanceStatus(i.name(), i.host(), layout.host(i.host()).zone(), i.ip(), i.group(), pid, pid != null && alive(pid));
        }).toList();
    }

    /** kill -9 of every process on a host at once: the host "dies". */
    public List<String> killHost(String host) {
        SandboxLayout.HostLayout h = layout.host(host);
        List<Long> pids = new ArrayList<>(network.processesOn(h));
        List<String> killed = new ArrayList<>();
        for (SandboxLayout.InstanceLayout i : layout.instancesOn(host)) {
            Long pid = state.pids().get(i.name());
            if (pid != null) {
                if (!pids.contains(pid)) pids.add(pid);
                if (alive(pid)) killed.add(i.name());
            }
        }
        network.hostDown(layout, h);
        for (Long pid : pids) Exec.quiet("kill", "-9", pid.toString());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (pids.stream().anyMatch(Sandbox::alive) && System.nanoTime() < deadline) sleep(20);
        for (SandboxLayout.InstanceLayout i : layout.instancesOn(host)) state.clearPid(i.name());
        return killed;
    }

    /** kill -9 of one instance's mysqld: the server dies, its host lives (a failover can still salvage its binary log). */
    public void killInstance(String instance) {
        Long pid = state.pids().get(layout.instance(instance).name());
        if (pid == null || !alive(pid)) throw new SandboxException("instance " + instance + " is not running");
        Exec.quiet("kill", "-9", pid.toString());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (alive(pid) && System.nanoTime() < deadline) sleep(20);
        state.clearPid(instance);
    }

    /** SIGSTOP (true) or SIGCONT (false) to one instance's mysqld: a server that stops answering without dying, then resumes. */
    public void freezeInstance(String instance, boolean stop) {
        Long pid = state.pids().get(layout.instance(instance).name());
        if (pid == null || !alive(pid)) throw new SandboxException("instance " + instance + " is not running");
        Exec.check("kill", stop ? "-STOP" : "-CONT", pid.toString());
    }

    /** Starts one instance again (read-only, as every start): a killed server back. */
    public void startInstance(String instance) {
        SandboxLayout.InstanceLayout i = layout.instance(instance);
        Long pid = state.pids().get(i.name());
        if (pid != null && alive(pid)) return;
        start(i, false);
    }

    /**
     * Brings a killed host back (its link up, only its configured addresses, as after a reboot) and
     * restarts its instances that are not running (they come back read-only, as configured).
     */
    public List<String> startHost(String host) {
        network.hostUp(layout, layout.host(host));
        List<SandboxLayout.InstanceLayout> todo = layout.instancesOn(host).stream()
                .filter(i -> { Long pid = state.pids().get(i.name()); return pid == null || !alive(pid); }).toList();
        parallel(todo, i -> { start(i, false); return null; });
        return todo.stream().map(SandboxLayout.InstanceLayout::name).toList();
    }

    public void partitionHost(String host) {
        network.partitionHost(layout, layout.host(host));
    }

    public void partitionZone(String zone) {
        network.partitionZone(layout, zone);
    }

    /** Only the manager loses the fleet: every host still sees every other (the false-alarm case failover must not act on). */
    public void partitionManager() {
        network.partitionManager(layout);
    }

    /** Only the manager loses one host (its addresses), while every host still sees every other. */
    public void partitionManagerFrom(String host) {
        network.partitionManagerFrom(layout, layout.host(host));
    }

    /** Delay and loss on a host's link (tc netem), until {@link #heal}. */
    public void impairHost(String host, int delayMillis, double lossPercent) {
        if (delayMillis < 0 || lossPercent < 0 || lossPercent > 100) throw new SandboxException("impair: delay must be >= 0 ms and loss 0..100 %");
        network.impairHost(layout, layout.host(host), delayMillis, lossPercent);
    }

    /** A congested link: {@code kbit} per second, queueing up to {@code maxQueueMillis}, dropping beyond; until {@link #heal}. */
    public void limitHost(String host, int kbit, int maxQueueMillis) {
        if (kbit < 8 || maxQueueMillis < 1) throw new SandboxException("impair: rate must be >= 8 kbit/s and the queue >= 1 ms");
        network.limitHost(layout, layout.host(host), kbit, maxQueueMillis);
    }

    public void heal() {
        network.healAll(layout);
    }

    /** Stops every process and removes every namespace, link, socket and file the sandbox made. */
    public void down() {
        for (Long pid : state.pids().values()) Exec.quiet("kill", "-9", pid.toString());
        network.destroy(state);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (state.pids().values().stream().anyMatch(Sandbox::alive) && System.nanoTime() < deadline) sleep(20);
        Exec.quiet("rm", "-rf", Path.of(System.getProperty("java.io.tmpdir"), "shardkit-sock", "slot-" + state.slot()).toString());
        Exec.quiet("rm", "-rf", dir.toString());
        Slots.release(state.slot());
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted");
        }
    }

    /** A task that may throw. */
    private interface Task<T, R> {
        R run(T t) throws Exception;
    }

    private static <T, R> List<R> parallel(List<T> items, Task<T, R> task) {
        List<R> out = new ArrayList<>();
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<R>> fs = items.stream().map(it -> ex.submit(() -> task.run(it))).toList();
            for (Future<R> f : fs) out.add(f.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof SQLException s) throw new SandboxException(SqlErrors.describe(s), s);
            throw new SandboxException(String.valueOf(c.getMessage()), c);
        }
        return out;
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new SandboxException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static void writePrivate(Path file, String text) {
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new SandboxException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // the init file only matters on first start; a leftover is harmless but mode 600
        }
    }
}
