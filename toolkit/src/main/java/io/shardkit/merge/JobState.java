package io.shardkit.merge;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** Named states of a merge job and the one table of allowed transitions. */
public enum JobState {
    PLANNED, COPYING, STREAMING, PAUSED, VERIFYING, CUTTING_OVER, DONE, FAILED, CONFLICT, ABORTED,
    /** After a cutover: a reverse stream carries the target's writes back to the sources. */
    ROLLING_BACK,
    /** Switched back: the sources are the writers again, the target read-only. */
    ROLLED_BACK;

    private static final Map<JobState, Set<JobState>> NEXT = Map.ofEntries(
            Map.entry(PLANNED, EnumSet.of(COPYING, ABORTED, FAILED)),
            Map.entry(COPYING, EnumSet.of(STREAMING, PAUSED, FAILED, CONFLICT, ABORTED, COPYING)),
            Map.entry(STREAMING, EnumSet.of(VERIFYING, CUTTING_OVER, PAUSED, FAILED, CONFLICT, ABORTED, COPYING, STREAMING)),
            Map.entry(PAUSED, EnumSet.of(COPYING, STREAMING, ABORTED, FAILED)),
            Map.entry(VERIFYING, EnumSet.of(STREAMING, CUTTING_OVER, FAILED, ABORTED)),
            Map.entry(CUTTING_OVER, EnumSet.of(STREAMING, DONE, FAILED)),
            Map.entry(FAILED, EnumSet.of(COPYING, STREAMING, ABORTED)),
            Map.entry(CONFLICT, EnumSet.of(COPYING, STREAMING, ABORTED)),
            Map.entry(DONE, EnumSet.of(ROLLING_BACK)),
            Map.entry(ROLLING_BACK, EnumSet.of(ROLLING_BACK, ROLLED_BACK)),
            Map.entry(ROLLED_BACK, EnumSet.noneOf(JobState.class)),
            Map.entry(ABORTED, EnumSet.noneOf(JobState.class)));

    public boolean canMoveTo(JobState next) {
        return NEXT.get(this).contains(next);
    }

    public boolean terminal() {
        return this == DONE || this == ABORTED || this == ROLLING_BACK || this == ROLLED_BACK;
    }
}
