package io.shardkit.merge;

import java.util.Map;

/**
 * The throttle decision, pure: metrics in, a verdict with its reason out (gh-ost's shape: collectors,
 * a decision, a gate). The copy waits while throttled; the stream keeps applying, since holding it
 * back would only grow the backlog a cutover must drain.
 */
public final class Throttle {

    /** Limits; live-adjustable through {@code merge throttle}. */
    public record Limits(long maxLagMillis, int maxThreadsRunning) {
        public static final Limits DEFAULT = new Limits(1000, 50);
    }

    /**
     * What the collectors saw. {@code replicaLagMillis}: per target replica, null when it is not
     * applying (SQL thread stopped or lag unknown).
     */
    public record Metrics(Map<String, Long> replicaLagMillis, Map<String, Long> threadsRunning) {}

    /** The verdict; {@code reason} is null when not throttled. */
    public record Decision(boolean throttled, String reason) {
        public static final Decision GO = new Decision(false, null);
    }

    private Throttle() {}

    public static Decision decide(Metrics m, Limits l) {
        for (var e : m.replicaLagMillis().entrySet()) {
            if (e.getValue() == null) return new Decision(true, "target replica " + e.getKey() + " is not applying (lag unknown)");
            if (e.getValue() > l.maxLagMillis()) {
                return new Decision(true, "target replica " + e.getKey() + " lags " + e.getValue() + " ms (max " + l.maxLagMillis() + " ms)");
            }
        }
        for (var e : m.threadsRunning().entrySet()) {
            if (e.getValue() > l.maxThreadsRunning()) {
                return new Decision(true, e.getKey() + " has " + e.getValue() + " threads running (max " + l.maxThreadsRunning() + ")");
            }
        }
        return Decision.GO;
    }
}
