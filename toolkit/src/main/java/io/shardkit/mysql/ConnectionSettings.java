package io.shardkit.mysql;

import java.time.Duration;

/**
 * Timeouts for one purpose. Probes fail fast (a dead server must not stall detection); bulk work
 * waits longer for its statements but still connects quickly.
 */
public record ConnectionSettings(Duration connectTimeout, Duration socketTimeout, boolean loadFromMemory, boolean exactWrites) {
    public static final ConnectionSettings PROBE = new ConnectionSettings(Duration.ofSeconds(1), Duration.ofSeconds(3), false, false);
    public static final ConnectionSettings ADMIN = new ConnectionSettings(Duration.ofSeconds(2), Duration.ofSeconds(60), false, false);
    /** Bulk reads and row writes (merge sources, verify, repair): sessions in {@link #EXACT_SQL_MODE}. */
    public static final ConnectionSettings BULK = new ConnectionSettings(Duration.ofSeconds(2), Duration.ofMinutes(30), false, true);
    /** Bulk work that may send rows with {@link LoadData} (the merge target). */
    public static final ConnectionSettings BULK_LOAD = new ConnectionSettings(Duration.ofSeconds(2), Duration.ofMinutes(30), true, true);

    /**
     * The session sql_mode of every session that writes rows copied from another server: strict
     * (a value the target cannot hold exactly fails instead of being adjusted with a warning), and
     * nothing more: zero and partial-zero dates and invalid calendar dates stored under a legacy
     * mode are values like any other, and an AUTO_INCREMENT key of 0 is a key, not a request for
     * a new one (NO_AUTO_VALUE_ON_ZERO). No ANSI_QUOTES or NO_BACKSLASH_ESCAPES: the driver quotes
     * for the default mode. STRICT_TRANS_TABLES is named too, or Connector/J appends it itself.
     */
    public static final String EXACT_SQL_MODE = "STRICT_TRANS_TABLES,STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,ALLOW_INVALID_DATES,NO_ENGINE_SUBSTITUTION";
}
