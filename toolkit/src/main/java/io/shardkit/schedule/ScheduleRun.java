package io.shardkit.schedule;

import java.time.Instant;

/** One run of a schedule as the catalog has it. */
public record ScheduleRun(long id, String schedule, Instant fireTime, Instant startedAt, Instant finishedAt, String owner, Outcome outcome,
        Trigger trigger, String detail) {

    /** How a run came to be. */
    public enum Trigger { DUE, LATE, MANUAL }

    /** Where a run stands; every state but RUNNING is final. */
    public enum Outcome {
        RUNNING,
        SUCCEEDED,
        /** A runbook line failed; the detail names FILE:LINE. */
        FAILED,
        /** Its daemon lost the leadership (or stopped) while it ran: the runbook was interrupted. */
        INTERRUPTED,
        /** Found still RUNNING under an owner that no longer leads: that daemon died mid-run. */
        ABANDONED,
        /** Due while the previous run of the same schedule still ran: never two at once. */
        SKIPPED_OVERLAP,
        /** Due times that passed while no leader was up, under the schedule's 'skip' policy: one row stands for them all. */
        MISSED
    }
}
