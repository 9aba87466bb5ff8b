package io.shardkit.failover.analysis;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything collected about one group at one moment: the input of {@link Analyzer}. The collector
 * fills it from probes; tests write it by hand. Nothing here is derived: the analyzer does all the
 * judging, so the journal can replay a decision from the snapshot alone.
 *
 * @param primary     the member the group calls primary (the one its replicas follow, or the last one
 *                    recorded when they follow nobody)
 * @param primaryHost whether the primary's host runs a command through its {@code exec} prefix
 * @param vantages    probes of the primary from hosts of other zones, where an {@code exec} allows them
 * @param replicas    every other member, reachable or not
 * @param lockedBy    who holds the group lock (a cutover, another recovery), or null
 */
public record GroupSnapshot(String group, Instant takenAt, Member primary, PrimaryProbe primaryProbe, HostAnswer primaryHost,
                            List<VantageProbe> vantages, List<ReplicaView> replicas, String lockedBy) {

    public GroupSnapshot {
        if (group == null || group.isBlank()) throw new IllegalArgumentException("snapshot without a group name");
        if (primary == null || primaryProbe == null) throw new IllegalArgumentException("snapshot of " + group + " without its primary");
        if (primaryHost == null) primaryHost = HostAnswer.NOT_PROBED;
        vantages = List.copyOf(vantages);
        replicas = List.copyOf(replicas);
        Set<String> seen = new HashSet<>(Set.of(primary.instance()));
        for (ReplicaView r : replicas) {
            if (!seen.add(r.instance())) throw new IllegalArgumentException("snapshot of " + group + " lists " + r.instance() + " twice");
        }
    }

    public GroupSnapshot(String group, Instant takenAt, Member primary, PrimaryProbe primaryProbe, List<ReplicaView> replicas) {
        this(group, takenAt, primary, primaryProbe, HostAnswer.NOT_PROBED, List.of(), replicas, null);
    }

    /**
     * Replicas whose lag the server no longer reports (Seconds_Behind is NULL once the IO thread
     * lost its source) get the lag last measured while their primary lived: how far behind its data
     * was when the primary died, which is what the election's lag limit is about.
     */
    public GroupSnapshot withKnownLags(java.util.Map<String, java.time.Duration> known) {
        List<ReplicaView> rs = replicas.stream().map(r -> r.lag() == null && known.containsKey(r.instance()) ? r.withLag(known.get(r.instance())) : r).toList();
        return new GroupSnapshot(group, takenAt, primary, primaryProbe, primaryHost, vantages, rs, lockedBy);
    }

    public GroupSnapshot withHost(HostAnswer answer) {
        return new GroupSnapshot(group, takenAt, primary, primaryProbe, answer, vantages, replicas, lockedBy);
    }

    public GroupSnapshot withVantages(List<VantageProbe> v) {
        return new GroupSnapshot(group, takenAt, primary, primaryProbe, primaryHost, v, replicas, lockedBy);
    }

    public GroupSnapshot lockedBy(String holder) {
        return new GroupSnapshot(group, takenAt, primary, primaryProbe, primaryHost, vantages, replicas, holder);
    }

    /** Every member placed on {@code host}, the primary included. */
    public List<Member> membersOn(String host) {
        List<Member> out = new java.util.ArrayList<>();
        if (primary.host().equals(host)) out.add(primary);
        for (ReplicaView r : replicas) if (r.member().host().equals(host)) out.add(r.member());
        return out;
    }
}
