package io.shardkit.sandbox;

import io.shardkit.mysql.CredentialRef;
import io.shardkit.topology.PromotionRule;
import io.shardkit.topology.Topology;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pure placement and addressing of a sandbox fleet (no side effects, unit-tested).
 *
 * <p>Hosts are ordered zone-interleaved (z1-h1, z2-h1, z3-h1, z1-h2, ...) and group g takes R+1
 * consecutive hosts from position g*(R+1): consecutive positions are distinct hosts, and distinct
 * zones while R+1 <= zones. The primary is member (g mod (R+1)), which spreads primaries over zones.
 *
 * <p>Addresses: slot s owns 198.18.(32s).0/19 in netns isolation (the RFC 2544 benchmarking range,
 * never routed anywhere) and 127.(18+s).0.0/16 in loopback isolation. Zone z is the third octet
 * 32s+z; host h of a zone uses .16h (management) and .16h+1.. (instances); writer IPs use octet 32s+31.
 */
public record SandboxLayout(SandboxSpec spec, int slot, boolean netns, List<HostLayout> hosts, List<InstanceLayout> instances, List<GroupLayout> groups) {

    public record HostLayout(String name, String zone, int zoneIndex, int hostIndex, String address, String namespace, String hostLink) {}

    public record InstanceLayout(String name, String host, String ip, int serverId, String group, boolean initialPrimary) {}

    public record GroupLayout(String name, String writerIp, List<String> members, String primary) {}

    public static final int PORT = 3306;

    public static SandboxLayout of(SandboxSpec spec, int slot, boolean netns) {
        if (slot < 0 || slot > 7) throw new IllegalArgumentException("slot must be 0..7");
        List<HostLayout> hosts = new ArrayList<>();
        for (int h = 1; h <= spec.hostsPerZone(); h++) {
            for (int z = 1; z <= spec.zones(); z++) {
                String name = "z" + z + "-h" + h;
                hosts.add(new HostLayout(name, "z" + z, z, h, ip(slot, netns, z, h * 16),
                        netns ? "sk" + slot + "-z" + z + "h" + h : null,
                        netns ? "sk" + slot + "z" + z + "h" + h : null));
            }
        }
        Map<String, Integer> usedPerHost = new LinkedHashMap<>();
        List<InstanceLayout> instances = new ArrayList<>();
        List<GroupLayout> groups = new ArrayList<>();
        int members = spec.replicas() + 1;
        int serverId = 100 * (slot + 1);
        for (int g = 0; g < spec.groups(); g++) {
            String group = "g" + (g + 1);
            List<String> names = new ArrayList<>();
            String primary = null;
            for (int m = 0; m < members; m++) {
                HostLayout host = hosts.get((g * members + m) % hosts.size());
                int k = usedPerHost.merge(host.name(), 1, Integer::sum);
                String name = group + "-" + (m + 1);
                boolean isPrimary = m == g % members;
                if (isPrimary) primary = name;
                instances.add(new InstanceLayout(name, host.name(), ip(slot, netns, host.zoneIndex(), host.hostIndex() * 16 + k), ++serverId, group, isPrimary));
                names.add(name);
            }
            String writer = netns ? ip(slot, true, 31, g + 1) : null;
            groups.add(new GroupLayout(group, writer, List.copyOf(names), primary));
        }
        if (netns) checkListeners(spec, instances, groups); // loopback fleets have no writer IPs to listen on
        return new SandboxLayout(spec, slot, netns, List.copyOf(hosts), List.copyOf(instances), List.copyOf(groups));
    }

    static String ip(int slot, boolean netns, int third, int fourth) {
        return netns ? "198.18." + (32 * slot + third) + "." + fourth : "127." + (18 + slot) + "." + third + "." + fourth;
    }

    /** The manager's (this process's) address on the sandbox network, in netns isolation. */
    public String managerAddress() {
        return ip(slot, true, 0, 1);
    }

    public String subnet() {
        return "198.18." + (32 * slot) + ".0/19";
    }

    public HostLayout host(String name) {
        return hosts.stream().filter(h -> h.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no host '" + name + "' in the sandbox (hosts: " + hosts.stream().map(HostLayout::name).toList() + ")"));
    }

    public InstanceLayout instance(String name) {
        return instances.stream().filter(i -> i.name().equals(name)).findFirst().orElseThrow();
    }

    public List<InstanceLayout> instancesOn(String host) {
        return instances.stream().filter(i -> i.host().equals(host)).toList();
    }

    public GroupLayout group(String name) {
        return groups.stream().filter(g -> g.name().equals(name)).findFirst().orElseThrow();
    }

    /**
     * Two instances on one host cannot both listen on a writer IP: each member listens on its own
     * group's, and with --listen-for on other groups' too.
     */
    private static void checkListeners(SandboxSpec spec, List<InstanceLayout> instances, List<GroupLayout> groups) {
        Map<String, String> taken = new LinkedHashMap<>();
        for (InstanceLayout i : instances) {
            List<String> writerOf = new ArrayList<>(List.of(i.group()));
            writerOf.addAll(spec.listenFor().getOrDefault(i.group(), List.of()));
            for (String g : writerOf) {
                String prev = taken.putIfAbsent(i.host() + "/" + g, i.name());
                if (prev != null && !prev.equals(i.name())) {
                    throw new IllegalArgumentException("--listen-for: " + prev + " and " + i.name() + " are both on host " + i.host()
                            + " and would both listen on " + g + "'s writer IP; give the fleet more hosts or fewer replicas");
                }
            }
        }
    }

    /** The topology this fleet is described by, with credentials referenced from an option file. */
    public Topology topology(Path topologyFile, Path credentialsFile) {
        Map<String, Topology.Zone> zones = new LinkedHashMap<>();
        for (int z = 1; z <= spec.zones(); z++) zones.put("z" + z, new Topology.Zone("z" + z));
        Map<String, Topology.Host> hs = new LinkedHashMap<>();
        hosts.stream().sorted(java.util.Comparator.comparing(HostLayout::name))
                .forEach(h -> hs.put(h.name(), new Topology.Host(h.name(), h.zone(), h.address(),
                        netns ? new Topology.HostAccess(NetnsNetwork.hostAccess(this, h), "eth0", NetnsNetwork.PREFIX) : null)));
        Map<String, Topology.Instance> is = new LinkedHashMap<>();
        instances.forEach(i -> is.put(i.name(), new Topology.Instance(i.name(), i.host(), i.ip(), PORT)));
        Map<String, Topology.Group> gs = new LinkedHashMap<>();
        groups.forEach(g -> gs.put(g.name(), new Topology.Group(g.name(), g.writerIp(),
                g.members().stream().map(m -> new Topology.Member(m, PromotionRule.NEUTRAL)).toList())));
        var creds = new Topology.Credentials(
                CredentialRef.optionFile(Users.ADMIN, credentialsFile, "shardkit-admin"),
                CredentialRef.optionFile(Users.REPLICATION, credentialsFile, "shardkit-repl"),
                CredentialRef.optionFile(Users.STREAM, credentialsFile, "shardkit-stream"));
        return new Topology(topologyFile, zones, hs, is, gs, creds);
    }
}
