package io.shardkit.topology;

import io.shardkit.mysql.CredentialRef;
import io.shardkit.mysql.Endpoint;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The configured fleet: zones, hosts, instances on secondary IPs, and replication groups. Immutable
 * and validated by {@link TopologyFile}; live state comes from {@link Discovery}.
 */
public record Topology(Path source, Map<String, Zone> zones, Map<String, Host> hosts, Map<String, Instance> instances,
                       Map<String, Group> groups, Credentials credentials) {

    public record Zone(String name) {}

    /**
     * @param access how shardkit runs commands on the host (to move writer IPs); null when it cannot
     */
    public record Host(String name, String zone, String address, HostAccess access) {
        public Host(String name, String zone, String address) {
            this(name, zone, address, null);
        }
    }

    /**
     * Running commands on a host: a command prefix ({@code ssh root@10.1.2.3}, or {@code ip netns exec
     * NS} in a sandbox), and the interface and prefix length that writer IPs are added with.
     */
    public record HostAccess(List<String> exec, String device, int prefixLength) {
        public HostAccess {
            exec = List.copyOf(exec);
        }
    }

    public record Instance(String name, String host, String ip, int port) {
        public Endpoint endpoint() { return new Endpoint(ip, port); }
    }

    public record Member(String instance, PromotionRule promotion) {}

    /** A replication group (one shard): its members and the secondary IP that follows its primary. */
    public record Group(String name, String writerIp, List<Member> members) {
        public List<String> instanceNames() { return members.stream().map(Member::instance).toList(); }
    }

    /** Credential references by purpose; only {@code admin} is mandatory. */
    public record Credentials(CredentialRef admin, CredentialRef replication, CredentialRef stream) {}

    public Topology {
        zones = Map.copyOf(new LinkedHashMap<>(zones));
        hosts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(hosts));
        instances = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(instances));
        groups = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(groups));
    }

    public Instance instance(String name) {
        Instance i = instances.get(name);
        if (i == null) throw new IllegalArgumentException("unknown instance " + name);
        return i;
    }

    public Group group(String name) {
        Group g = groups.get(name);
        if (g == null) throw new IllegalArgumentException("unknown group '" + name + "' (known: " + String.join(", ", groups.keySet()) + ")");
        return g;
    }

    public Host hostOf(String instance) {
        return hosts.get(instance(instance).host());
    }

    public String zoneOf(String instance) {
        return hostOf(instance).zone();
    }
}
