package io.shardkit.sandbox;

import java.util.ArrayList;
import java.util.List;

/**
 * Hosts as Linux network namespaces. Each host's veth sits on its zone's bridge; zone bridges meet
 * on a core bridge through an uplink veth; the manager (this process, in the root namespace) joins
 * the core bridge through its own veth. One flat /19 per slot, so a secondary IP can move to any host.
 *
 * <pre>
 *   manager(sk0mg) -- [sk0core] --(sk0z1c/sk0z1u)-- [sk0z1] -- sk0z1h1 == eth0@sk0-z1h1
 *                               --(sk0z2c/sk0z2u)-- [sk0z2] -- ...
 * </pre>
 * Partitioning a host downs its veth; partitioning a zone downs its uplink.
 */
final class NetnsNetwork implements Network {
    /** Every sandbox address is in its slot's /19 (see SandboxLayout). */
    static final int PREFIX = 19;


    @Override
    public void create(SandboxLayout l, SandboxState state) {
        String p = "sk" + l.slot();
        String core = p + "core";
        link(state, core);
        Exec.check("ip", "link", "add", core, "type", "bridge");
        Exec.check("ip", "link", "set", core, "up");
        link(state, p + "mg");
        Exec.check("ip", "link", "add", p + "mg", "type", "veth", "peer", "name", p + "mgc");
        Exec.check("ip", "link", "set", p + "mgc", "master", core);
        Exec.check("ip", "link", "set", p + "mgc", "up");
        Exec.check("ip", "addr", "add", l.managerAddress() + "/" + PREFIX, "dev", p + "mg");
        Exec.check("ip", "link", "set", p + "mg", "up");
        for (int z = 1; z <= l.spec().zones(); z++) {
            String zb = p + "z" + z;
            link(state, zb);
            Exec.check("ip", "link", "add", zb, "type", "bridge");
            Exec.check("ip", "link", "set", zb, "up");
            link(state, zb + "u");
            Exec.check("ip", "link", "add", zb + "u", "type", "veth", "peer", "name", zb + "c");
            Exec.check("ip", "link", "set", zb + "u", "master", zb);
            Exec.check("ip", "link", "set", zb + "c", "master", core);
            Exec.check("ip", "link", "set", zb + "u", "up");
            Exec.check("ip", "link", "set", zb + "c", "up");
        }
        for (SandboxLayout.HostLayout h : l.hosts()) {
            String ns = h.namespace();
            state.addNamespace(ns);
            Exec.check("ip", "netns", "add", ns);
            link(state, h.hostLink());
            Exec.check("ip", "link", "add", h.hostLink(), "type", "veth", "peer", "name", h.hostLink() + "p");
            Exec.check("ip", "link", "set", h.hostLink() + "p", "netns", ns);
            Exec.check("ip", "-n", ns, "link", "set", h.hostLink() + "p", "name", "eth0");
            Exec.check("ip", "-n", ns, "link", "set", "lo", "up");
            Exec.check("ip", "-n", ns, "addr", "add", h.address() + "/" + PREFIX, "dev", "eth0");
            for (SandboxLayout.InstanceLayout i : l.instancesOn(h.name())) {
                Exec.check("ip", "-n", ns, "addr", "add", i.ip() + "/" + PREFIX, "dev", "eth0");
            }
            Exec.check("ip", "-n", ns, "link", "set", "eth0", "up");
            // lets every member bind its group's writer IP before the IP is on this host
            Exec.check("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_nonlocal_bind=1");
            Exec.check("ip", "link", "set", h.hostLink(), "master", "sk" + l.slot() + "z" + h.zoneIndex());
            Exec.check("ip", "link", "set", h.hostLink(), "up");
        }
    }

    private static void link(SandboxState state, String name) {
        state.addLink(name);
    }

    @Override
    public List<String> onHost(SandboxLayout.HostLayout host) {
        return List.of("ip", "netns", "exec", host.namespace());
    }

    @Override
    public void addAddress(SandboxLayout l, SandboxLayout.HostLayout host, String ip) {
        Exec.check("ip", "-n", host.namespace(), "addr", "add", ip + "/" + PREFIX, "dev", "eth0");
        // tell neighbours at once, or clients keep the old MAC for ~30 s
        if (Exec.available("arping")) Exec.spawn("ip", "netns", "exec", host.namespace(), "arping", "-q", "-U", "-c", "1", "-I", "eth0", ip);
    }

    @Override
    public void removeAddress(SandboxLayout l, SandboxLayout.HostLayout host, String ip) {
        Exec.quiet("ip", "-n", host.namespace(), "addr", "del", ip + "/" + PREFIX, "dev", "eth0");
    }

    /**
     * How the manager runs a command on a host, as ssh would: through the host's namespace, but
     * failing (exit 255, like ssh) when the path from the manager to the host is down (the manager's
     * link, the zone's uplink, the host's link: a partition or a dead host). Without this check a
     * namespace would answer even when the network says it cannot, and failover would believe it can
     * fence or salvage through a host it could never reach.
     */
    static List<String> hostAccess(SandboxLayout l, SandboxLayout.HostLayout h) {
        String links = "sk" + l.slot() + "mgc sk" + l.slot() + "z" + h.zoneIndex() + "u " + h.hostLink();
        String script = "for l in " + links + "; do ip -o link show \"$l\" | grep -q '[<,]UP[,>]' || { echo \"host-exec: cannot reach " + h.name()
                + " (link $l is down)\" >&2; exit 255; }; done; if ! ip route get " + h.address() + " >/dev/null 2>&1; then echo \"host-exec: cannot reach "
                + h.name() + " (no route)\" >&2; exit 255; fi; exec ip netns exec " + h.namespace() + " \"$@\"";
        return List.of("sh", "-c", script, "host-exec");
    }

    /**
     * A host dies: its link goes down (it answers nothing, not even its exec access). When it comes
     * back ({@link #hostUp}) it has only its configured addresses, as after a reboot: any writer IP it
     * held is gone.
     */
    @Override
    public void hostDown(SandboxLayout l, SandboxLayout.HostLayout host) {
        Exec.check("ip", "link", "set", host.hostLink(), "down");
    }

    @Override
    public void hostUp(SandboxLayout l, SandboxLayout.HostLayout host) {
        java.util.Set<String> own = new java.util.HashSet<>();
        own.add(host.address());
        for (SandboxLayout.InstanceLayout i : l.instancesOn(host.name())) own.add(i.ip());
        for (String line : Exec.lines("ip", "-n", host.namespace(), "-o", "-4", "addr", "show", "dev", "eth0")) {
            String[] f = line.trim().split("\\s+");
            for (int k = 0; k + 1 < f.length; k++) {
                if (!f[k].equals("inet")) continue;
                String ip = f[k + 1].substring(0, f[k + 1].indexOf('/'));
                if (!own.contains(ip)) removeAddress(l, host, ip);
            }
        }
        Exec.check("ip", "link", "set", host.hostLink(), "up");
    }

    @Override
    public void partitionHost(SandboxLayout l, SandboxLayout.HostLayout host) {
        Exec.check("ip", "link", "set", host.hostLink(), "down");
    }

    /**
     * Only the manager loses one host: blackhole routes in the manager's namespace for the host's
     * addresses (this kernel has no netfilter), while the hosts still reach each other.
     */
    @Override
    public void partitionManagerFrom(SandboxLayout l, SandboxLayout.HostLayout host) {
        for (String ip : addressesOf(l, host)) Exec.check("ip", "route", "replace", "blackhole", ip + "/32");
    }

    private static List<String> addressesOf(SandboxLayout l, SandboxLayout.HostLayout host) {
        List<String> out = new ArrayList<>(List.of(host.address()));
        for (SandboxLayout.InstanceLayout i : l.instancesOn(host.name())) out.add(i.ip());
        return out;
    }

    @Override
    public void partitionZone(SandboxLayout l, String zone) {
        int z = l.hosts().stream().filter(h -> h.zone().equals(zone)).findFirst()
                .orElseThrow(() -> new SandboxException("no zone '" + zone + "' in the sandbox")).zoneIndex();
        Exec.check("ip", "link", "set", "sk" + l.slot() + "z" + z + "u", "down");
    }

    @Override
    public void partitionManager(SandboxLayout l) {
        Exec.check("ip", "link", "set", "sk" + l.slot() + "mgc", "down");
    }

    @Override
    public void impairHost(SandboxLayout l, SandboxLayout.HostLayout host, int delayMillis, double lossPercent) {
        try {
            Exec.check("tc", "qdisc", "replace", "dev", host.hostLink(), "root", "netem", "delay", delayMillis + "ms", "loss", lossPercent + "%");
        } catch (SandboxException e) {
            if (!String.valueOf(e.getMessage()).contains("qdisc kind is unknown")) throw e;
            throw new SandboxException("this kernel has no netem (sch_netem): delay and loss cannot be injected here; limit the link's rate instead (sandbox impair --rate)");
        }
    }

    @Override
    public void limitHost(SandboxLayout l, SandboxLayout.HostLayout host, int kbit, int maxQueueMillis) {
        Exec.check("tc", "qdisc", "replace", "dev", host.hostLink(), "root", "tbf", "rate", kbit + "kbit", "burst", "16kbit", "latency", maxQueueMillis + "ms");
    }

    @Override
    public void healAll(SandboxLayout l) {
        for (SandboxLayout.HostLayout h : l.hosts()) {
            for (String ip : addressesOf(l, h)) Exec.quiet("ip", "route", "del", "blackhole", ip + "/32"); // absent unless partitioned from the manager
        }
        for (SandboxLayout.HostLayout h : l.hosts()) Exec.quiet("tc", "qdisc", "del", "dev", h.hostLink(), "root"); // absent unless impaired
        String p = "sk" + l.slot();
        Exec.check("ip", "link", "set", p + "mgc", "up");
        for (int z = 1; z <= l.spec().zones(); z++) Exec.check("ip", "link", "set", p + "z" + z + "u", "up");
        for (SandboxLayout.HostLayout h : l.hosts()) Exec.check("ip", "link", "set", h.hostLink(), "up");
    }

    @Override
    public List<Long> processesOn(SandboxLayout.HostLayout host) {
        List<Long> out = new ArrayList<>();
        for (String s : Exec.lines("ip", "netns", "pids", host.namespace())) out.add(Long.parseLong(s));
        return out;
    }

    @Override
    public void destroy(SandboxState state) {
        for (String ns : state.namespaces()) {
            for (String pid : Exec.lines("ip", "netns", "pids", ns)) Exec.quiet("kill", "-9", pid);
        }
        for (String ns : state.namespaces()) Exec.quiet("ip", "netns", "delete", ns);
        // deleting one end of a veth removes its peer; bridges last
        for (String link : state.links().reversed()) Exec.quiet("ip", "link", "delete", link);
        // anything with our slot prefix that a crash left unrecorded
        String prefix = "sk" + state.slot();
        for (String ns : Exec.lines("ip", "netns", "list")) {
            String name = ns.split("\\s+")[0];
            if (name.startsWith(prefix + "-")) {
                for (String pid : Exec.lines("ip", "netns", "pids", name)) Exec.quiet("kill", "-9", pid);
                Exec.quiet("ip", "netns", "delete", name);
            }
        }
        for (String line : Exec.lines("ip", "-o", "link", "show")) {
            String[] f = line.split(":\\s+");
            if (f.length < 2) continue;
            String name = f[1].split("@")[0];
            if (name.startsWith(prefix) && (name.length() == prefix.length() || !Character.isDigit(name.charAt(prefix.length())))) {
                Exec.quiet("ip", "link", "delete", name);
            }
        }
    }
}
