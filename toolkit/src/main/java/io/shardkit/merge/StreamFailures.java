package io.shardkit.merge;

import java.util.HashMap;
import java.util.Map;

/**
 * Tells a failure that will pass (a lost connection, a primary that moved) from one that will not:
 * a stream restarted from its checkpoint that fails again with the same error, having applied
 * nothing since, will keep doing so. After {@code limit} such failures in a row the job stops in
 * FAILED with the error instead of restarting forever.
 */
final class StreamFailures {
    private final int limit;
    private final Map<String, Last> last = new HashMap<>();

    private record Last(String message, long applied, int times) {}

    StreamFailures(int limit) {
        this.limit = limit;
    }

    /**
     * Records a failure of a source's stream, with the number of events it has applied so far.
     *
     * @throws IllegalStateException when it is the limit-th identical failure without progress
     */
    void record(String source, String message, long applied) {
        Last prev = last.get(source);
        int times = prev != null && prev.message().equals(message) && prev.applied() == applied ? prev.times() + 1 : 1;
        last.put(source, new Last(message, applied, times));
        if (times >= limit) {
            throw new IllegalStateException("stream of source " + source + " failed " + times + " times in a row at the same position with: " + message);
        }
    }
}
