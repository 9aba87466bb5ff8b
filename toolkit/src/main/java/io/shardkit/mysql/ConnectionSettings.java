package io.shardkit.mysql;

import java.time.Duration;

/**
 * Timeouts for one purpose. Probes fail fast (a dead server must not stall detection); bulk work
 * waits longer for its statements but still connects quickly.
 */
public record ConnectionSettings(Duration connectTimeout, Duration socketTimeout, boolean loadFromMemory) {
    public static final ConnectionSettings PROBE = new ConnectionSettings(Duration.ofSeconds(1), Duration.ofSeconds(3), false);
    public static final ConnectionSettings ADMIN = new ConnectionSettings(Duration.ofSeconds(2), Duration.ofSeconds(60), false);
    public static final ConnectionSettings BULK = new ConnectionSettings(Duration.ofSeconds(2), Duration.ofMinutes(30), false);
    /** Bulk work that may send rows with {@link LoadData} (the merge target). */
    public static final ConnectionSettings BULK_LOAD = new ConnectionSettings(Duration.ofSeconds(2), Duration.ofMinutes(30), true);
}
