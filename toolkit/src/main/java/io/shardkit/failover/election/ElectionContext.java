package io.shardkit.failover.election;

import io.shardkit.topology.ZonePolicy;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What an election knows besides the candidates.
 *
 * @param cutOffZones      zones the analysis found partitioned from the rest: nobody there is promoted,
 *                         and nobody there serves a catch-up
 * @param maxLag           a candidate lagging more is filtered
 * @param primariesPerHost live primaries per host now, counting those elected earlier in the same
 *                         dead-host event (and not the dead ones)
 * @param force            the operator accepts data risks: errant or diverged candidates compete, and
 *                         (for a named target only) the placement filters may be overridden
 */
public record ElectionContext(String group, String oldPrimary, String oldPrimaryZone, ZonePolicy zonePolicy, Set<String> cutOffZones,
                              Duration maxLag, Map<String, Integer> primariesPerHost, boolean force) {

    public static final Duration DEFAULT_MAX_LAG = Duration.ofSeconds(60);

    public ElectionContext {
        if (zonePolicy == null) zonePolicy = ZonePolicy.SAME_ZONE_PREFERRED;
        cutOffZones = Set.copyOf(cutOffZones);
        if (maxLag == null || maxLag.isNegative()) throw new IllegalArgumentException("max lag must be zero or more, not " + maxLag);
        primariesPerHost = Map.copyOf(primariesPerHost);
    }

    /** Same zone preferred, no zone cut off, 60 s of lag allowed, no host carrying a primary, not forced. */
    public static ElectionContext of(String group, String oldPrimary, String oldPrimaryZone) {
        return new ElectionContext(group, oldPrimary, oldPrimaryZone, ZonePolicy.SAME_ZONE_PREFERRED, Set.of(), DEFAULT_MAX_LAG, Map.of(), false);
    }

    public ElectionContext withZonePolicy(ZonePolicy p) {
        return new ElectionContext(group, oldPrimary, oldPrimaryZone, p, cutOffZones, maxLag, primariesPerHost, force);
    }

    public ElectionContext withCutOffZones(Set<String> zones) {
        return new ElectionContext(group, oldPrimary, oldPrimaryZone, zonePolicy, zones, maxLag, primariesPerHost, force);
    }

    public ElectionContext withMaxLag(Duration lag) {
        return new ElectionContext(group, oldPrimary, oldPrimaryZone, zonePolicy, cutOffZones, lag, primariesPerHost, force);
    }

    public ElectionContext withPrimariesPerHost(Map<String, Integer> counts) {
        return new ElectionContext(group, oldPrimary, oldPrimaryZone, zonePolicy, cutOffZones, maxLag, counts, force);
    }

    /** The same context once a new primary has been placed on {@code host}. */
    public ElectionContext withPrimaryOn(String host) {
        Map<String, Integer> counts = new HashMap<>(primariesPerHost);
        counts.merge(host, 1, Integer::sum);
        return withPrimariesPerHost(counts);
    }

    public ElectionContext forced() {
        return new ElectionContext(group, oldPrimary, oldPrimaryZone, zonePolicy, cutOffZones, maxLag, primariesPerHost, true);
    }

    int primariesOn(String host) {
        return primariesPerHost.getOrDefault(host, 0);
    }
}
