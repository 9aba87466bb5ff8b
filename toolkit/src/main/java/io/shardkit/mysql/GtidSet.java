package io.shardkit.mysql;

/**
 * An immutable set of executed transactions, in either of the two GTID dialects.
 *
 * <p>MySQL sets ({@code uuid:1-5:7}) are true sets of intervals. MariaDB positions
 * ({@code domain-server-seq,...}) record only the last sequence number per replication domain; under
 * {@code gtid_strict_mode} everything up to it is implied, so containment and distance compare
 * sequence numbers domain by domain. Mixing dialects is a programming error.
 */
public sealed interface GtidSet permits MySqlGtidSet, MariaDbGtidSet {

    /** Parses the text a server reports, for the dialect of the given flavor family. */
    static GtidSet parse(FlavorFamily family, String text) {
        return switch (family) {
            case MYSQL -> MySqlGtidSet.parse(text);
            case MARIADB -> MariaDbGtidSet.parse(text);
        };
    }

    static GtidSet empty(FlavorFamily family) {
        return parse(family, "");
    }

    FlavorFamily family();

    boolean isEmpty();

    /** True when every transaction of {@code other} is also in this set. */
    boolean contains(GtidSet other);

    /** The transactions of this set that {@code other} lacks. */
    GtidSet subtract(GtidSet other);

    /**
     * Every transaction of either set. A failover needs it to say what the survivors hold between them
     * (a replica's executed set plus what its IO thread received, or all replicas' sets together).
     */
    GtidSet union(GtidSet other);

    /** How many transactions this set has that {@code other} lacks. */
    long countMissingFrom(GtidSet other);

    /** Canonical text, as the server would accept it back. */
    String format();

    /** Where this set stands relative to {@code other}: a partial order, so sets can diverge. */
    default GtidOrder compare(GtidSet other) {
        boolean mine = contains(other);
        boolean theirs = other.contains(this);
        if (mine && theirs) return GtidOrder.EQUAL;
        if (mine) return GtidOrder.AHEAD;
        if (theirs) return GtidOrder.BEHIND;
        return GtidOrder.DIVERGED;
    }
}
