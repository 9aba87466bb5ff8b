package io.shardkit.shell.commands;

import io.shardkit.catalog.Catalog;
import io.shardkit.shell.Context;
import io.shardkit.shell.ExitCodes;
import io.shardkit.shell.Main;
import io.shardkit.shell.daemon.DaemonClient;
import io.shardkit.shell.daemon.DaemonProcess;
import io.shardkit.shell.daemon.DaemonServer;
import io.shardkit.shell.daemon.DaemonSettings;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "daemon", description = {
        "A resident shardkit for this --home: while it runs, short commands (merge plan|status|verify|pause|throttle|abort, topology, catalog status)",
        "are handed to it and start warm (no JVM start, class loading or JIT per command). SHARDKIT_NO_DAEMON=1 runs a command here anyway."},
        subcommands = {DaemonCommand.Start.class, DaemonCommand.Run.class, DaemonCommand.Stop.class, DaemonCommand.Status.class})
public final class DaemonCommand {

    @Command(name = "start", description = "Start the daemon in the background (log: <home>/daemon.log) and wait until it answers.")
    static final class Start implements Callable<Integer> {
        private final Context ctx;

        @Option(names = "--wait", defaultValue = "30s", description = "How long to wait for it to answer (default: ${DEFAULT-VALUE}).")
        String waitFor;
        @Option(names = "--config", paramLabel = "FILE", description = "Its fleet duties (see 'daemon run --help'): topology, zk, metrics, ...") Path config;

        Start(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() throws Exception {
            ctx.out().print(DaemonProcess.start(ctx.home().toAbsolutePath(), Main.class.getName(), Durations.parse("--wait", waitFor),
                    config == null ? java.util.List.of() : java.util.List.of("--config", config.toAbsolutePath().toString())));
            ctx.out().flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "run", description = {"Run the daemon in the foreground (for systemd and the like); stops on 'shardkit daemon stop' or a signal.",
            "With --topology/--sandbox it monitors that fleet and fails it over; it fires due schedules; with --zk several daemons (one per zone)",
            "elect one leader and only the leader acts; with --metrics it serves /metrics (Prometheus) and /health."})
    static final class Run implements Callable<Integer> {
        private final Context ctx;
        @Option(names = {"-t", "--topology"}, description = "The fleet to monitor (topology YAML).") Path topology;
        @Option(names = "--sandbox", description = "Monitor this sandbox's fleet.") String sandbox;
        @Option(names = "--config", paramLabel = "FILE", description = "YAML with any of: topology, sandbox, zk, zk-path, zk-session, id, metrics, interval, max-lag;"
                + " options given here win.") Path config;
        @Option(names = "--zk", paramLabel = "HOST:PORT,...", description = "ZooKeeper: elect one leader among the daemons that share --zk-path.") String zk;
        @Option(names = "--zk-path", paramLabel = "PATH", description = "The election's path (default /shardkit/leader).") String zkPath;
        @Option(names = "--zk-session", paramLabel = "DURATION", description = "ZooKeeper session timeout: a dead leader is replaced after about this long (default 4s).") String zkSession;
        @Option(names = "--id", description = "This daemon's name in the election, runs and metrics (default: host name and pid).") String id;
        @Option(names = "--metrics", paramLabel = "HOST:PORT", description = "Serve /metrics and /health here (port 0: any free one, printed).") String metricsAddress;
        @Option(names = "--interval", paramLabel = "DURATION", description = "Monitor probe interval (default 500ms).") String interval;
        @Option(names = "--max-lag", paramLabel = "DURATION", description = "A replica lagging more is not elected (default 60s).") String maxLag;

        Run(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() throws Exception {
            io.shardkit.shell.LogSetup.info("io.shardkit.shell.daemon");
            io.shardkit.shell.LogSetup.info("io.shardkit.schedule"); // ZooKeeper connection states, the lead taken and lost, the runs
            DaemonSettings cfg = DaemonSettings.read(config).with(topology, sandbox, zk, zkPath, zkSession, id, metricsAddress, interval, maxLag);
            // embedded catalogs stay open between commands (opening one is a tenth of a second); each command gets a view it may close
            java.util.Map<Path, Catalog> catalogs = new java.util.concurrent.ConcurrentHashMap<>();
            ctx.embeddedCatalogs(home -> catalogs.computeIfAbsent(home.toAbsolutePath().normalize(), Catalog::embedded).borrowed());
            DaemonServer.Runner runner = (out, err, env, cwd, args) -> {
                Context c = new Context(out, err, env, cwd).origin("cli (run by the daemon)");
                c.embeddedCatalogs(home -> catalogs.computeIfAbsent(home.toAbsolutePath().normalize(), Catalog::embedded).borrowed());
                return Main.commandLine(c).execute(args);
            };
            try (DaemonServer server = new DaemonServer(ctx.home().toAbsolutePath(), runner);
                 AutoCloseable closeCatalogs = () -> catalogs.values().forEach(Catalog::close);
                 Catalog catalog = ctx.openCatalog();
                 FleetRun fleet = FleetRun.start(ctx, cfg, catalog)) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        server.removeSocket();
                    } catch (java.io.IOException ignored) {
                        // a stale socket file is harmless: clients fall back and the next daemon replaces it
                    }
                }));
                ctx.out().println("daemon serving " + server.socket());
                fleet.describe(ctx.out());
                ctx.out().flush();
                warmUp(catalogs, ctx.home().toAbsolutePath().normalize());
                server.serve();
            }
            return ExitCodes.OK;
        }
    }

    /**
     * In the background, what nearly every command touches first: the command-line model, this
     * home's catalog and the MySQL driver (the daemon's first command otherwise pays for them).
     */
    private static void warmUp(java.util.Map<Path, Catalog> catalogs, Path home) {
        Thread t = new Thread(() -> {
            try {
                java.io.PrintWriter none = new java.io.PrintWriter(java.io.Writer.nullWriter());
                Main.commandLine(new Context(none, none));
                catalogs.computeIfAbsent(home, Catalog::embedded);
                Class.forName("com.mysql.cj.jdbc.Driver");
            } catch (Exception | LinkageError e) {
                // only a head start: the first command opens what is missing and reports what fails
            }
        }, "daemon-warm-up");
        t.setDaemon(true);
        t.start();
    }

    @Command(name = "stop", description = "Stop the daemon of this --home (commands it is running are interrupted).")
    static final class Stop implements Callable<Integer> {
        private final Context ctx;

        Stop(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() {
            ask(ctx, true);
            return ExitCodes.OK;
        }
    }

    @Command(name = "status", description = "Whether a daemon runs for this --home, since when, and how many commands it has served.")
    static final class Status implements Callable<Integer> {
        private final Context ctx;

        Status(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() {
            return ask(ctx, false) ? ExitCodes.OK : ExitCodes.FAILED;
        }
    }

    /** Prints the daemon's answer (or that none runs); true when one answered. */
    private static boolean ask(Context ctx, boolean stop) {
        Optional<String> answer = DaemonClient.control(ctx.home().toAbsolutePath(), stop);
        ctx.out().print(answer.orElse("no daemon runs for " + ctx.home() + "\n"));
        ctx.out().flush();
        return answer.isPresent();
    }
}
