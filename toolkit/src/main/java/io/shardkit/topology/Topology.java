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

    /** A replication group (one shard): its members, the secondary IP that follows its primary, and how it fails over. */
    public record Group(String name, String writerIp, List<Member> members, Failover failover) {
        public Group(String name, String writerIp, List<Member> members) {
            this(name, writerIp, members, Failover.DEFAULT);
        }

        public Group {
            if (failover == null) failover = Failover.DEFAULT;
        }

        public List<String> instanceNames() { return members.stream().map(Member::instance).toList(); }
    }

    /**
     * What a group promises about acknowledged writes across a failover (Vitess' durability
     * policies). SEMI_SYNC: a commit is acknowledged only once a replica has it, and the primary
     * never falls back to acknowledging alone, so an isolated primary acknowledges nothing and the
     * most advanced survivor has every acknowledged write. ASYNC: a primary acknowledges alone;
     * what no replica received is recovered only from its binary log while its host answers (the
     * salvage), and lost with the host otherwise.
     */
    public enum Durability {
        SEMI_SYNC, ASYNC;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        public static Durability parse(String s) {
            return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        }
    }

    /**
     * A group's failover settings.
     *
     * @param durability    null: semi-sync where the flavor has it (MariaDB), else async
     * @param mhaScript     an MHA-compatible master_ip_failover_script called like MHA calls it (or null)
     * @param jsonHook      a command fed the failover as a JSON document on stdin (or null)
     * @param crossZoneHook the mover used instead of the writer IP when the new primary is in another
     *                      zone (a secondary IP cannot leave its zone's subnet); null: no cross-zone move
     * @param stonithHook   a command that powers off the old primary's host (IPMI, a cloud API), run when
     *                      neither the old primary nor its host answers (or null)
     */
    public record Failover(Durability durability, ZonePolicy zonePolicy, Path mhaScript, Path jsonHook, Path crossZoneHook, Path stonithHook) {
        public static final Failover DEFAULT = new Failover(null, ZonePolicy.SAME_ZONE_PREFERRED, null, null, null, null);

        public Failover {
            if (zonePolicy == null) zonePolicy = ZonePolicy.SAME_ZONE_PREFERRED;
        }
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
