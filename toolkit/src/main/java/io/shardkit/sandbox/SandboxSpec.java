package io.shardkit.sandbox;

import java.util.Locale;

/**
 * The shape of a sandbox fleet. Validated on construction: members of a group must fit on distinct
 * hosts, and names must fit Linux interface-name limits.
 *
 * @param listenFor per group, the groups whose writer IPs its members also listen on (a merge target
 *                  that will take over its sources' writer IPs at cutover); empty for most fleets
 */
public record SandboxSpec(String name, ServerFlavor flavor, Isolation isolation, int zones, int hostsPerZone, int groups, int replicas,
                          java.util.Map<String, java.util.List<String>> listenFor) {

    public SandboxSpec(String name, ServerFlavor flavor, Isolation isolation, int zones, int hostsPerZone, int groups, int replicas) {
        this(name, flavor, isolation, zones, hostsPerZone, groups, replicas, java.util.Map.of());
    }

    /** Which server software runs the instances. */
    public enum ServerFlavor {
        MARIADB, MYSQL;

        public static ServerFlavor parse(String s) {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        }
    }

    /** How hosts are simulated: network namespaces on bridges (root), or 127/8 addresses (no root). */
    public enum Isolation {
        NETNS, LOOPBACK, AUTO;

        public static Isolation parse(String s) {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        }
    }

    public SandboxSpec {
        if (name == null || !name.matches("[a-z0-9][a-z0-9-]{0,30}")) {
            throw new IllegalArgumentException("sandbox name '" + name + "' must be 1-31 lowercase letters, digits or dashes");
        }
        if (zones < 1 || zones > 9) throw new IllegalArgumentException("--zones must be 1..9, got " + zones);
        if (hostsPerZone < 1 || hostsPerZone > 9) throw new IllegalArgumentException("--hosts-per-zone must be 1..9, got " + hostsPerZone);
        if (groups < 1 || groups > 60) throw new IllegalArgumentException("--groups must be 1..60, got " + groups);
        if (replicas < 0 || replicas > 8) throw new IllegalArgumentException("--replicas must be 0..8, got " + replicas);
        int hosts = zones * hostsPerZone;
        if (replicas + 1 > hosts) {
            throw new IllegalArgumentException("a group of " + (replicas + 1) + " members needs " + (replicas + 1) + " hosts, the fleet has " + hosts);
        }
        listenFor = listenFor == null ? java.util.Map.of() : java.util.Map.copyOf(listenFor);
        for (var e : listenFor.entrySet()) {
            for (String g : concat(e.getKey(), e.getValue())) {
                if (!g.matches("g[1-9][0-9]*") || Integer.parseInt(g.substring(1)) > groups) {
                    throw new IllegalArgumentException("--listen-for names group '" + g + "', but the fleet's groups are g1..g" + groups);
                }
            }
        }
        int perHost = (int) Math.ceil((double) groups * (replicas + 1) / hosts);
        if (perHost > 14) throw new IllegalArgumentException(perHost + " instances per host is more than the 14 a host can address");
    }

    public int hostCount() {
        return zones * hostsPerZone;
    }

    public int instanceCount() {
        return groups * (replicas + 1);
    }

    private static java.util.List<String> concat(String first, java.util.List<String> rest) {
        java.util.List<String> out = new java.util.ArrayList<>(rest);
        out.add(first);
        return out;
    }

    /** Parses "g5:g1,g2,g3" (several separated by ';'). */
    public static java.util.Map<String, java.util.List<String>> parseListenFor(String spec) {
        java.util.Map<String, java.util.List<String>> out = new java.util.LinkedHashMap<>();
        if (spec == null || spec.isBlank()) return out;
        for (String part : spec.split(";")) {
            String[] kv = part.split(":");
            if (kv.length != 2 || kv[0].isBlank() || kv[1].isBlank()) {
                throw new IllegalArgumentException("--listen-for '" + part + "' is not GROUP:GROUP[,GROUP...] (e.g. g5:g1,g2)");
            }
            out.put(kv[0].trim(), java.util.Arrays.stream(kv[1].split(",")).map(String::trim).toList());
        }
        return out;
    }
}
