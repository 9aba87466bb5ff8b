package io.shardkit.cutover;

import java.util.ArrayList;
import java.util.List;

/** The steps of a cutover with when each began (ms after the start) and how long it took. */
public final class Timeline {
    public record Step(String name, long startMillis, long millis, String detail) {}

    private final long origin = System.nanoTime();
    private final List<Step> steps = new ArrayList<>();
    private long stepStart = origin;
    private String current;

    /** Closes the running step (if any) and opens the next. */
    public synchronized void begin(String name) {
        end(null);
        current = name;
        stepStart = System.nanoTime();
    }

    /** Closes the running step with a detail for the operator. */
    public synchronized void end(String detail) {
        if (current == null) return;
        long now = System.nanoTime();
        steps.add(new Step(current, (stepStart - origin) / 1_000_000, (now - stepStart) / 1_000_000, detail));
        current = null;
    }

    public synchronized List<Step> steps() {
        return List.copyOf(steps);
    }

}
