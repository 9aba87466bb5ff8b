package io.shardkit.topology;

import java.util.List;
import java.util.Optional;

/** One replication group in a {@link FleetView}: members' states, the primary, and a health verdict. */
public record GroupView(Topology.Group group, List<InstanceState> members, Optional<String> primary) {

    /** Group-level verdicts, most severe first. */
    public enum Health {
        /** More than one member accepts writes: split brain risk. */
        MULTIPLE_WRITABLE,
        /** The primary does not answer. */
        PRIMARY_UNREACHABLE,
        /** No member is or is pointed at as primary. */
        NO_PRIMARY,
        /** The primary answers but refuses writes (fenced, or restarted read-only). */
        PRIMARY_READ_ONLY,
        /** Primary fine, some replica broken, unreachable or writable. */
        DEGRADED,
        OK
    }

    public Health health() {
        long writable = members.stream().filter(s -> s != null && s.writable()).count();
        if (writable > 1) return Health.MULTIPLE_WRITABLE;
        if (primary.isEmpty()) return Health.NO_PRIMARY;
        InstanceState p = state(primary.get());
        if (p == null || !p.reachable()) return Health.PRIMARY_UNREACHABLE;
        if (!p.writable()) return Health.PRIMARY_READ_ONLY;
        for (InstanceState s : members) {
            if (s == null || s.instance().equals(primary.get())) continue;
            if (!s.reachable() || s.replica() == null || !s.replica().healthy() || s.writable()) return Health.DEGRADED;
        }
        return Health.OK;
    }

    public InstanceState state(String instance) {
        return members.stream().filter(s -> s != null && s.instance().equals(instance)).findFirst().orElse(null);
    }

    /** Transactions the primary has that this member lacks; -1 when it cannot be told. */
    public long gtidBehind(String instance) {
        if (primary.isEmpty()) return -1;
        InstanceState p = state(primary.get());
        InstanceState s = state(instance);
        if (p == null || s == null || !p.reachable() || !s.reachable() || p.gtidExecuted() == null || s.gtidExecuted() == null) return -1;
        if (p.gtidExecuted().family() != s.gtidExecuted().family()) return -1;
        return p.gtidExecuted().countMissingFrom(s.gtidExecuted());
    }
}
