package io.shardkit.failover.analysis;

import java.time.Duration;

/**
 * Thresholds of the analysis, validated once.
 *
 * @param heartbeatPeriod  the replicas' MASTER_HEARTBEAT_PERIOD (1 s as shardkit wires replication)
 * @param missedHeartbeats how many periods of silence make a replica count as having lost its source;
 *                         at least 2, since MariaDB reports the last heartbeat with one-second precision
 *                         and a healthy replica can read as one period late
 * @param stallTimeout     a heartbeat commit slower than this makes a primary count as stalled
 * @param lagLimit         apply lag past which a replica counts as lagging
 */
public record AnalysisSettings(Duration heartbeatPeriod, int missedHeartbeats, Duration stallTimeout, Duration lagLimit) {

    public static final AnalysisSettings DEFAULT = new AnalysisSettings(Duration.ofSeconds(1), 3, Duration.ofSeconds(5), Duration.ofSeconds(30));

    public AnalysisSettings {
        requirePositive("heartbeat period", heartbeatPeriod);
        requirePositive("stall timeout", stallTimeout);
        requirePositive("lag limit", lagLimit);
        if (missedHeartbeats < 2) throw new IllegalArgumentException("missed heartbeats must be at least 2, not " + missedHeartbeats);
    }

    /** Silence from the primary past which a replica has lost it. */
    public Duration silenceLimit() {
        return heartbeatPeriod.multipliedBy(missedHeartbeats);
    }

    private static void requirePositive(String what, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException(what + " must be positive, not " + d);
    }
}
