package io.shardkit.topology;

import io.shardkit.mysql.Flavor;
import io.shardkit.mysql.GtidSet;
import io.shardkit.mysql.ReplicaStatus;
import io.shardkit.mysql.SemiSync;
import java.time.Instant;

/**
 * One instance as read live by {@link Discovery} at {@code probedAt}. When {@code reachable} is
 * false only {@code instance}, {@code error} and {@code probedAt} carry meaning.
 *
 * @param replica null when the server has no replication channel configured
 */
public record InstanceState(
        String instance,
        boolean reachable,
        String error,
        Instant probedAt,
        String version,
        Flavor flavor,
        long serverId,
        boolean readOnly,
        boolean superReadOnly,
        boolean gtidEnabled,
        GtidSet gtidExecuted,
        boolean logBin,
        String binlogFormat,
        String binlogRowImage,
        ReplicaStatus replica,
        SemiSync semiSync) {

    public static InstanceState unreachable(String instance, String error, Instant at) {
        return new InstanceState(instance, false, error, at, null, null, 0, false, false, false, null, false, null, null, null, SemiSync.UNAVAILABLE);
    }

    /** The role this instance plays by its own account. */
    public Role role() {
        if (!reachable) return Role.UNREACHABLE;
        if (replica != null) return Role.REPLICA;
        return readOnly ? Role.READ_ONLY_STANDALONE : Role.PRIMARY;
    }

    public boolean writable() {
        return reachable && !readOnly && !superReadOnly;
    }

    /** What an instance says it is. */
    public enum Role { PRIMARY, REPLICA, READ_ONLY_STANDALONE, UNREACHABLE }
}
