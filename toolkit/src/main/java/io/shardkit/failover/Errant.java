package io.shardkit.failover;

import io.shardkit.failover.analysis.GroupSnapshot;
import io.shardkit.failover.analysis.ReplicaView;
import io.shardkit.mysql.GtidSet;
import java.util.HashMap;
import java.util.Map;

/**
 * Transactions a replica has that its primary never had (written on the replica itself): its
 * executed set minus what the primary last reported and what any member received from the
 * primary since (a transaction newer than that report is in the others' relay logs; an errant one
 * is nowhere else). Promoting a replica with errant transactions would ship them to every member.
 */
final class Errant {
    private Errant() {}

    /** @param primaryExecuted the primary's executed set when it last answered; null when never seen (nothing can be said) */
    static Map<String, GtidSet> of(GroupSnapshot s, GtidSet primaryExecuted) {
        Map<String, GtidSet> out = new HashMap<>();
        if (primaryExecuted == null) return out;
        GtidSet seen = primaryExecuted;
        for (ReplicaView r : s.replicas()) if (r.reachable() && r.received() != null && r.received().family() == seen.family()) seen = seen.union(r.received());
        for (ReplicaView r : s.replicas()) {
            if (!r.reachable() || r.executed() == null || r.executed().family() != seen.family()) continue;
            GtidSet e = r.executed().subtract(seen);
            if (!e.isEmpty()) out.put(r.instance(), e);
        }
        return out;
    }
}
