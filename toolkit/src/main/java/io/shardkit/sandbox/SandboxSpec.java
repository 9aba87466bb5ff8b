package io.shardkit.sandbox;

import java.util.Locale;

/**
 * The shape of a sandbox fleet. Validated on construction: members of a group must fit on distinct
 * hosts, and names must fit Linux interface-name limits.
 */
public record SandboxSpec(String name, ServerFlavor flavor, Isolation isolation, int zones, int hostsPerZone, int groups, int replicas) {

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
        int perHost = (int) Math.ceil((double) groups * (replicas + 1) / hosts);
        if (perHost > 14) throw new IllegalArgumentException(perHost + " instances per host is more than the 14 a host can address");
    }

    public int hostCount() {
        return zones * hostsPerZone;
    }

    public int instanceCount() {
        return groups * (replicas + 1);
    }
}
