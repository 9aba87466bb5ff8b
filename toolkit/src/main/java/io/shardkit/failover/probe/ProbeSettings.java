package io.shardkit.failover.probe;

import java.time.Duration;

/**
 * Timeouts and cadence of the monitor's probes, validated once. The defaults fail fast: a primary
 * probe costs at most {@code connect + answer}, so a dead server is noticed within one interval and
 * a stalled one within {@code answer}.
 *
 * @param interval how often each group's primary is probed
 * @param connect  TCP connect budget: past it the primary counts as timed out
 * @param answer   handshake, queries and heartbeat commit budget once connected: past it, stalled
 * @param hostExec budget of a command through a host's exec prefix (host answer, vantage probe)
 */
public record ProbeSettings(Duration interval, Duration connect, Duration answer, Duration hostExec) {
    public static final ProbeSettings DEFAULT = new ProbeSettings(Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofMillis(1500), Duration.ofMillis(1500));

    public ProbeSettings {
        if (interval.toMillis() < 100) throw new IllegalArgumentException("probe interval below 100 ms: " + interval.toMillis() + " ms");
        if (connect.toMillis() < 50 || answer.toMillis() < 100) throw new IllegalArgumentException("probe timeouts too short to tell a slow server from a dead one");
    }
}
