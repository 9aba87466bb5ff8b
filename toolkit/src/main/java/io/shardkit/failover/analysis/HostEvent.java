package io.shardkit.failover.analysis;

import java.util.List;

/**
 * What a host's failure means for the fleet, as one event: the recovery handles every group with a
 * member there together (one election pass that spreads the new primaries, one journal entry).
 *
 * @param primaries    the analysis of every group whose primary is on the host
 * @param lostReplicas {@code group/instance} of every replica on the host: lost, nothing to do for them
 * @param evidence     the verdict's reason first, then the facts
 */
public record HostEvent(String host, Verdict verdict, List<Analysis> primaries, List<String> lostReplicas, List<String> evidence) {

    public enum Verdict {
        /** Silent, every instance on it gone, and an independent witness confirms a primary there is gone. */
        DEAD,
        /** The host or an instance on it answers the manager. */
        ALIVE,
        /** Silent to the manager, but a witness shows something on it alive: the manager's path is cut. */
        LOST_BY_MANAGER,
        /** Silent to the manager and nothing else can tell (or it has no exec access to ask). */
        UNCONFIRMED
    }

    public HostEvent {
        primaries = List.copyOf(primaries);
        lostReplicas = List.copyOf(lostReplicas);
        evidence = List.copyOf(evidence);
    }

    /** The groups the recovery fails over unattended for this event; empty unless the host is dead. */
    public List<Analysis> failovers() {
        if (verdict != Verdict.DEAD) return List.of();
        return primaries.stream().filter(a -> a.action() == Action.FAILOVER && a.automatic()).toList();
    }
}
