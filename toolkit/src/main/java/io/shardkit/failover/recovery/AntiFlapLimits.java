package io.shardkit.failover.recovery;

import java.time.Duration;

/**
 * How often automatic recoveries may run. A group that fails over twice within its window is
 * flapping (a primary that dies again right after promotion points at a cause failover cannot fix);
 * a host or zone with many recovery events within the fleet window is a storm a human should see
 * before more primaries move. Events count, not groups: one dead host with three primaries is one.
 *
 * @param maxPerHost automatic recovery events on one host (of the failed primary) within {@code fleetWindow}
 * @param maxPerZone the same per zone
 */
public record AntiFlapLimits(Duration groupWindow, Duration fleetWindow, int maxPerHost, int maxPerZone) {

    /** One hour per group; within an hour, a host's second event and a zone's fourth wait for a human. */
    public static final AntiFlapLimits DEFAULT = new AntiFlapLimits(Duration.ofHours(1), Duration.ofHours(1), 1, 3);

    public AntiFlapLimits {
        if (groupWindow == null || groupWindow.isNegative()) throw new IllegalArgumentException("group window must be zero or more, not " + groupWindow);
        if (fleetWindow == null || fleetWindow.isNegative()) throw new IllegalArgumentException("fleet window must be zero or more, not " + fleetWindow);
        if (maxPerHost < 1 || maxPerZone < 1) throw new IllegalArgumentException("at least one recovery per host and per zone must be allowed");
    }
}
