package io.shardkit.failover.analysis;

/** The remedy an analysis code calls for; whether it may run unattended is {@link AnalysisCode#automatic()}. */
public enum Action {
    /** Elect a replica, catch it up, fence the old primary, promote, move the writer endpoint, repoint. */
    FAILOVER,
    /** Make a member that should not take writes refuse them; nothing else moves. */
    FENCE_ONLY,
    /** Tell a human; nothing shardkit could do is safe or useful. */
    ALERT,
    /** Look again later: someone else holds the group. */
    WAIT,
    NONE
}
