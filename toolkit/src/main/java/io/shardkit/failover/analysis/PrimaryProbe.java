package io.shardkit.failover.analysis;

import io.shardkit.mysql.GtidSet;
import java.time.Duration;

/**
 * The manager's own probe of the primary: connect, read state, and (when the primary is writable)
 * commit a heartbeat row, timing the commit. Reads alone do not prove a primary works: a server whose
 * commits hang (disk stall, semi-sync wait with no replica) still answers SELECTs.
 *
 * @param executed        gtid_executed, read <em>after</em> the replicas' sets in the same collection:
 *                        read before, a replica's newest transactions would look errant
 * @param heartbeatCommit how long the heartbeat write took to commit; null when none was written
 *                        (read-only primary, or no heartbeat configured)
 * @param error           what went wrong when {@code reach} is not ANSWERED
 */
public record PrimaryProbe(Reach reach, boolean readOnly, boolean superReadOnly, GtidSet executed, Duration heartbeatCommit,
                           String version, String error) {

    public PrimaryProbe {
        if (reach == null) throw new IllegalArgumentException("primary probe without an outcome");
    }

    public static PrimaryProbe answered(GtidSet executed, Duration heartbeatCommit) {
        return new PrimaryProbe(Reach.ANSWERED, false, false, executed, heartbeatCommit, null, null);
    }

    public static PrimaryProbe readOnly(GtidSet executed, boolean superReadOnly) {
        return new PrimaryProbe(Reach.ANSWERED, true, superReadOnly, executed, null, null, null);
    }

    public static PrimaryProbe failed(Reach reach, String error) {
        if (reach == Reach.ANSWERED) throw new IllegalArgumentException("a failed probe cannot have answered");
        return new PrimaryProbe(reach, false, false, null, null, null, error);
    }

    /** The same probe with the executed set read again later (see the collector). */
    public PrimaryProbe withExecuted(GtidSet later) {
        return new PrimaryProbe(reach, readOnly, superReadOnly, later, heartbeatCommit, version, error);
    }

    public PrimaryProbe withVersion(String v) {
        return new PrimaryProbe(reach, readOnly, superReadOnly, executed, heartbeatCommit, v, error);
    }
}
