package io.shardkit.merge;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** Named states of a merge job and the one table of allowed transitions. */
public enum JobState {
    PLANNED, COPYING, STREAMING, PAUSED, VERIFYING, CUTTING_OVER, DONE, FAILED, CONFLICT, ABORTED;

    private static final Map<JobState, Set<JobState>> NEXT = Map.of(
            PLANNED, EnumSet.of(COPYING, ABORTED, FAILED),
            COPYING, EnumSet.of(STREAMING, PAUSED, FAILED, CONFLICT, ABORTED, COPYING),
            STREAMING, EnumSet.of(VERIFYING, CUTTING_OVER, PAUSED, FAILED, CONFLICT, ABORTED, COPYING, STREAMING),
            PAUSED, EnumSet.of(COPYING, STREAMING, ABORTED, FAILED),
            VERIFYING, EnumSet.of(STREAMING, CUTTING_OVER, FAILED, ABORTED),
            CUTTING_OVER, EnumSet.of(STREAMING, DONE, FAILED),
            FAILED, EnumSet.of(COPYING, STREAMING, ABORTED),
            CONFLICT, EnumSet.of(COPYING, STREAMING, ABORTED),
            DONE, EnumSet.noneOf(JobState.class),
            ABORTED, EnumSet.noneOf(JobState.class));

    public boolean canMoveTo(JobState next) {
        return NEXT.get(this).contains(next);
    }

    public boolean terminal() {
        return this == DONE || this == ABORTED;
    }
}
