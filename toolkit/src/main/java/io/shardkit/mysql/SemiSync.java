package io.shardkit.mysql;

/** Semi-synchronous replication as one server sees it; {@code available=false} when the flavor lacks it. */
public record SemiSync(boolean available, boolean sourceEnabled, boolean replicaEnabled, boolean sourceActive, long sourceClients) {
    public static final SemiSync UNAVAILABLE = new SemiSync(false, false, false, false, 0);

    public String describe() {
        if (!available) return "n/a";
        if (sourceEnabled && sourceActive) return "on(" + sourceClients + ")";
        if (sourceEnabled) return "off(waiting)";
        return replicaEnabled ? "replica" : "off";
    }
}
