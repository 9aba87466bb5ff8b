package io.shardkit.failover.election;

/**
 * Why a candidate cannot compete at all, in the order they are checked, each with who may override it.
 * {@code --force} on an election accepts data risks only; naming the instance ({@code --to}) with
 * {@code --force} also overrides placement rules, since the operator then chose that very server.
 */
public enum Filter {
    /** Named by {@code --to} but not a surviving replica of the group. */
    NOT_A_CANDIDATE(Force.NEVER),
    UNREACHABLE(Force.NEVER),
    /** Reports GTIDs of the other dialect than the group: it cannot be compared, let alone catch up. */
    DIALECT(Force.NEVER),
    /** Its SQL thread stopped on an error: it cannot apply a catch-up. */
    SQL_THREAD_BROKEN(Force.NEVER),
    MUST_NOT(Force.NAMED_TARGET),
    /** In a zone the analysis found partitioned from the rest. */
    CUT_OFF_ZONE(Force.NAMED_TARGET),
    /** Outside the old primary's zone when the group requires that zone. */
    ZONE_POLICY(Force.NAMED_TARGET),
    /** Lags past the limit: its catch-up would keep the group without a writer too long. */
    LAGGING(Force.NAMED_TARGET),
    /** Holds transactions the old primary never had: promoting it ships them to every replica. */
    ERRANT(Force.ANY),
    /** Its transactions and another survivor's diverged (one of them holds errant ones nobody recorded). */
    DIVERGED(Force.ANY);

    /** Who may override a filter. */
    public enum Force { NEVER, NAMED_TARGET, ANY }

    private final Force force;

    Filter(Force force) {
        this.force = force;
    }

    public Force force() { return force; }

    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }

    /** True when {@code --force} lifts it: always for data risks, for placement only when the operator named the instance. */
    boolean liftedBy(boolean forced, boolean namedTarget) {
        return forced && (force == Force.ANY || (force == Force.NAMED_TARGET && namedTarget));
    }
}
