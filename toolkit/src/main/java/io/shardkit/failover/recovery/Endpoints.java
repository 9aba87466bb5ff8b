package io.shardkit.failover.recovery;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardkit.endpoint.WriterIps;
import io.shardkit.topology.Topology;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Moves a group's writer endpoint to its new primary, by every mover the group has: its writer
 * secondary IP ({@code ip addr del} on the old host when it answers, {@code add} plus a gratuitous
 * ARP on the new one), an MHA-compatible {@code master_ip_failover_script} called with MHA's
 * arguments, and a JSON hook. A secondary IP cannot leave its zone's subnet: when the new primary's
 * host is on another subnet the IP mover steps aside for the group's cross-zone hook and says so.
 */
public final class Endpoints {
    private static final Duration HOOK = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Topology topology;
    /** The user an MHA script is told to connect to the new primary as (its password never goes on a command line). */
    private final String adminUser;

    public Endpoints(Topology topology, String adminUser) {
        this.topology = topology;
        this.adminUser = adminUser;
    }

    /** One endpoint change: the old and new primary, and the recovery it belongs to. */
    public record Change(String recoveryId, String group, String oldPrimary, String newPrimary, String gtid, boolean oldHostAnswers) {}

    /** Moves every endpoint of the group; returns what was done, one line per mover. */
    public List<String> move(Change c) throws Exception {
        Topology.Group g = topology.group(c.group());
        List<String> done = new ArrayList<>();
        Topology.Host oldHost = topology.hostOf(c.oldPrimary());
        Topology.Host newHost = topology.hostOf(c.newPrimary());
        if (g.writerIp() != null) {
            if (!sameSubnet(g.writerIp(), newHost)) {
                if (g.failover().crossZoneHook() == null) {
                    done.add("writer IP " + g.writerIp() + " NOT moved: " + newHost.name() + " (zone " + newHost.zone() + ") is not on its subnet and the group has no cross-zone-hook");
                } else {
                    runHook(g.failover().crossZoneHook(), List.of(), json(c, g));
                    done.add("cross-zone: " + newHost.name() + " is not on the writer IP's subnet; ran cross-zone-hook " + g.failover().crossZoneHook());
                }
            } else {
                List<WriterIps.Host> from = new ArrayList<>();
                if (c.oldHostAnswers() && access(oldHost)) from.add(host(oldHost));
                WriterIps.apply(new WriterIps.Move(g.writerIp(), g.name(), from, host(newHost)));
                done.add("writer IP " + g.writerIp() + " moved to " + newHost.name() + (from.isEmpty() ? " (the old host does not answer: not removed there)" : " (removed from " + oldHost.name() + ")"));
            }
        }
        if (g.failover().mhaScript() != null) {
            Topology.Instance o = topology.instance(c.oldPrimary());
            Topology.Instance n = topology.instance(c.newPrimary());
            List<String> orig = List.of("--orig_master_host=" + oldHost.address(), "--orig_master_ip=" + o.ip(), "--orig_master_port=" + o.port());
            List<String> stop = new ArrayList<>(List.of(c.oldHostAnswers() ? "--command=stopssh" : "--command=stop", "--ssh_user=root"));
            stop.addAll(orig);
            runHook(g.failover().mhaScript(), stop, null);
            List<String> start = new ArrayList<>(List.of("--command=start", "--ssh_user=root"));
            start.addAll(orig);
            // MHA also passes --new_master_password; shardkit never puts a password on a command line
            start.addAll(List.of("--new_master_host=" + newHost.address(), "--new_master_ip=" + n.ip(), "--new_master_port=" + n.port(), "--new_master_user=" + adminUser));
            runHook(g.failover().mhaScript(), start, null);
            done.add("ran master_ip_failover_script " + g.failover().mhaScript() + " (stop" + (c.oldHostAnswers() ? "ssh" : "") + ", start)");
        }
        if (g.failover().jsonHook() != null) {
            runHook(g.failover().jsonHook(), List.of(), json(c, g));
            done.add("ran json-hook " + g.failover().jsonHook());
        }
        if (done.isEmpty()) done.add("no writer endpoint configured for " + g.name() + ": clients must find " + c.newPrimary() + " themselves");
        return done;
    }

    /**
     * The group's writer IP taken off {@code instance}'s host when that host is not the primary's: an
     * old primary's host that could not be reached during the failover (dead, cut off) still holds
     * it when it comes back, and would answer for the address beside the new owner. Returns what
     * was done, or null when there was nothing to do.
     */
    public String dropStale(String group, String instance, String primary) throws Exception {
        Topology.Group g = topology.group(group);
        Topology.Host h = topology.hostOf(instance);
        if (g.writerIp() == null || !access(h) || h.name().equals(topology.hostOf(primary).name())) return null;
        if (!WriterIps.remove(host(h), g.writerIp())) return null;
        // a neighbour may have learned the stale copy's MAC meanwhile: the owner announces itself again
        Topology.Host owner = topology.hostOf(primary);
        if (access(owner)) WriterIps.announce(host(owner), g.writerIp());
        return "writer IP " + g.writerIp() + " taken off " + h.name() + " (" + instance + "'s host; the primary is " + primary + ", announced again from " + owner.name() + ")";
    }

    /** Whether the writer IP is inside the new host's own subnet (its address and prefix length). */
    static boolean sameSubnet(String ip, Topology.Host host) throws IOException {
        if (host.access() == null || host.address() == null) return true; // nothing known to say otherwise
        int prefix = host.access().prefixLength();
        byte[] a = InetAddress.getByName(ip).getAddress();
        byte[] b = InetAddress.getByName(host.address()).getAddress();
        if (a.length != b.length) return false;
        for (int bit = 0; bit < prefix; bit++) {
            int mask = 0x80 >>> (bit % 8);
            if ((a[bit / 8] & mask) != (b[bit / 8] & mask)) return false;
        }
        return true;
    }

    private static boolean access(Topology.Host h) {
        return h.access() != null && !h.access().exec().isEmpty();
    }

    private static WriterIps.Host host(Topology.Host h) {
        if (!access(h)) throw new IllegalStateException("host " + h.name() + " has no exec access: the writer IP cannot be put there");
        return new WriterIps.Host(h.name(), h.access().exec(), h.access().device(), h.access().prefixLength());
    }

    private String json(Change c, Topology.Group g) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("event", "failover");
        doc.put("recovery_id", c.recoveryId());
        doc.put("group", g.name());
        doc.put("writer_ip", g.writerIp());
        doc.put("old_primary", instance(c.oldPrimary()));
        doc.put("new_primary", instance(c.newPrimary()));
        doc.put("gtid_executed", c.gtid());
        return JSON.writeValueAsString(doc);
    }

    Map<String, Object> instance(String name) {
        Topology.Instance i = topology.instance(name);
        Topology.Host h = topology.hostOf(name);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("instance", name);
        m.put("ip", i.ip());
        m.put("port", i.port());
        m.put("host", h.name());
        m.put("zone", h.zone());
        return m;
    }

    /** Runs a hook; its non-zero exit fails the step with what it printed. */
    static String runHook(Path hook, List<String> args, String stdin) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(hook.toString()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(HOOK.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException("hook " + hook + " did not finish within " + HOOK.toSeconds() + " s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.exitValue() != 0) throw new IOException("hook " + hook + " " + String.join(" ", args) + " exited " + p.exitValue() + (out.isEmpty() ? "" : ": " + out));
        return out;
    }
}
