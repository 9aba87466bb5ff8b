package io.shardkit.shell.commands;

import io.shardkit.sandbox.InstanceStatus;
import io.shardkit.sandbox.Sandbox;
import io.shardkit.sandbox.SandboxSpec;
import io.shardkit.shell.Context;
import io.shardkit.shell.ExitCodes;
import io.shardkit.shell.render.Table;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "sandbox", description = "Local fleets of real mariadbd/mysqld processes across simulated hosts and zones.",
        subcommands = {SandboxCommand.Up.class, SandboxCommand.Status.class, SandboxCommand.Down.class, SandboxCommand.KillHost.class,
                SandboxCommand.StartHost.class, SandboxCommand.Partition.class, SandboxCommand.Impair.class, SandboxCommand.Heal.class})
public final class SandboxCommand {

    /** The --name option every sandbox subcommand shares. */
    static class Named {
        @Option(names = "--name", defaultValue = "demo", description = "Sandbox name (default: ${DEFAULT-VALUE}).")
        String name;
    }

    @Command(name = "up", description = "Start a fleet and write its topology file.")
    static final class Up extends Named implements Callable<Integer> {
        private final Context ctx;
        @Option(names = "--flavor", defaultValue = "mariadb", description = "mariadb (10.11, Debian) or mysql (8.0.15).") String flavor;
        @Option(names = "--isolation", defaultValue = "auto", description = "netns (root), loopback, or auto.") String isolation;
        @Option(names = "--zones", defaultValue = "3") int zones;
        @Option(names = "--hosts-per-zone", defaultValue = "2") int hostsPerZone;
        @Option(names = "--groups", defaultValue = "4") int groups;
        @Option(names = "--replicas", defaultValue = "2") int replicas;
        @Option(names = "--listen-for", description = "GROUP:G1,G2[;...]: GROUP's members also listen on those groups' writer IPs"
                + " (a merge target that takes over its sources' writer IPs at cutover).") String listenFor;

        Up(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() {
            SandboxSpec spec = new SandboxSpec(name, SandboxSpec.ServerFlavor.parse(flavor), SandboxSpec.Isolation.parse(isolation),
                    zones, hostsPerZone, groups, replicas, SandboxSpec.parseListenFor(listenFor));
            Sandbox sb = Sandbox.up(spec, ctx.home(), line -> { ctx.out().println(line); ctx.out().flush(); });
            ctx.out().println("topology: " + sb.topologyFile());
            return ExitCodes.OK;
        }
    }

    @Command(name = "status", description = "Processes of the sandbox, per host.")
    static final class Status extends Named implements Callable<Integer> {
        private final Context ctx;

        Status(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() {
            Sandbox sb = Sandbox.open(ctx.home(), name);
            ctx.out().println("sandbox " + name + ": " + sb.flavorDescription() + ", " + (sb.netns() ? "netns" : "loopback") + ", " + sb.dir());
            Table t = new Table("HOST", "ZONE", "INSTANCE", "IP", "GROUP", "PID", "PROCESS");
            List<InstanceStatus> all = sb.status().stream().sorted(java.util.Comparator.comparing(InstanceStatus::host)).toList();
            for (InstanceStatus s : all) t.row(s.host(), s.zone(), s.instance(), s.ip(), s.group(), s.pid(), s.running() ? "running" : "stopped");
            t.print(ctx.out(), "  ");
            return ExitCodes.OK;
        }
    }

    @Command(name = "down", description = "Stop every process and remove every namespace, link and file of the sandbox.")
    static final class Down extends Named implements Callable<Integer> {
        private final Context ctx;

        Down(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() {
            Sandbox.open(ctx.home(), name).down();
            ctx.out().println("sandbox " + name + " removed");
            return ExitCodes.OK;
        }
    }

    @Command(name = "kill-host", description = "kill -9 every process on a host at once.")
    static final class KillHost extends Named implements Callable<Integer> {
        private final Context ctx;
        @Parameters(paramLabel = "HOST") String host;

        KillHost(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() {
            List<String> killed = Sandbox.open(ctx.home(), name).killHost(host);
            ctx.out().println("host " + host + " killed: " + (killed.isEmpty() ? "nothing was running" : String.join(", ", killed)));
            return ExitCodes.OK;
        }
    }

    @Command(name = "start-host", description = "Start the stopped instances of a host again (they come back read-only).")
    static final class StartHost extends Named implements Callable<Integer> {
        private final Context ctx;
        @Parameters(paramLabel = "HOST") String host;

        StartHost(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() {
            List<String> started = Sandbox.open(ctx.home(), name).startHost(host);
            ctx.out().println("host " + host + " started: " + (started.isEmpty() ? "all were running" : String.join(", ", started)));
            return ExitCodes.OK;
        }
    }

    @Command(name = "partition", description = "Cut a host (--host), a whole zone (--zone), only this manager (--manager) or only the manager's path to one host (--manager-from) off the network.")
    static final class Partition extends Named implements Callable<Integer> {
        private final Context ctx;
        @Option(names = "--host") String host;
        @Option(names = "--zone") String zone;
        @Option(names = "--manager", description = "Only the manager loses the fleet; hosts still see each other.") boolean manager;
        @Option(names = "--manager-from", paramLabel = "HOST", description = "Only the manager loses this host; every host still sees every other.") String managerFrom;

        Partition(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() {
            int given = (host != null ? 1 : 0) + (zone != null ? 1 : 0) + (manager ? 1 : 0) + (managerFrom != null ? 1 : 0);
            if (given != 1) throw new IllegalArgumentException("give exactly one of --host, --zone, --manager or --manager-from");
            Sandbox sb = Sandbox.open(ctx.home(), name);
            if (host != null) sb.partitionHost(host);
            else if (zone != null) sb.partitionZone(zone);
            else if (managerFrom != null) sb.partitionManagerFrom(managerFrom);
            else sb.partitionManager();
            ctx.out().println((host != null ? "host " + host : zone != null ? "zone " + zone : managerFrom != null ? "the manager from host " + managerFrom
                    : "the manager") + " partitioned");
            return ExitCodes.OK;
        }
    }

    @Command(name = "impair", description = "Delay and drop packets on a host's link (tc netem), or limit its rate (tc tbf), until 'sandbox heal'.")
    static final class Impair extends Named implements Callable<Integer> {
        private final Context ctx;
        @Option(names = "--host", required = true) String host;
        @Option(names = "--delay", defaultValue = "100ms", description = "Added one-way delay (default ${DEFAULT-VALUE}).") String delay;
        @Option(names = "--loss", defaultValue = "0", description = "Packets dropped, in percent (default ${DEFAULT-VALUE}).") double loss;
        @Option(names = "--rate", description = "Instead of delay and loss (kernels without netem): limit the link to this many kbit/s, queueing up to --delay, dropping beyond.") Integer rate;

        Impair(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() {
            long ms = Durations.parse("--delay", delay).toMillis();
            if (rate != null) {
                Sandbox.open(ctx.home(), name).limitHost(host, rate, (int) ms);
                ctx.out().println("host " + host + ": link limited to " + rate + " kbit/s, queueing up to " + ms + " ms");
            } else {
                Sandbox.open(ctx.home(), name).impairHost(host, (int) ms, loss);
                ctx.out().println("host " + host + ": link delayed " + ms + " ms, " + loss + " % lost");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "heal", description = "Undo every partition and link impairment.")
    static final class Heal extends Named implements Callable<Integer> {
        private final Context ctx;

        Heal(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() {
            Sandbox.open(ctx.home(), name).heal();
            ctx.out().println("network healed");
            return ExitCodes.OK;
        }
    }
}
