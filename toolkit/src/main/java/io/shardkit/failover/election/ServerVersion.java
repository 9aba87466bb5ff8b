package io.shardkit.failover.election;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server's release series (major.minor) from its version string ({@code 8.0.36-log},
 * {@code 10.11.6-MariaDB-0+deb12u1}). Only the series takes part in the election: replication
 * within a series works in both directions, from a newer series to an older one it does not.
 */
record ServerVersion(int major, int minor) implements Comparable<ServerVersion> {
    private static final Pattern SERIES = Pattern.compile("^(\\d+)\\.(\\d+)");

    /** Null when the text is missing or unreadable. */
    static ServerVersion parse(String version) {
        if (version == null) return null;
        Matcher m = SERIES.matcher(version.trim());
        return m.find() ? new ServerVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))) : null;
    }

    @Override
    public int compareTo(ServerVersion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
