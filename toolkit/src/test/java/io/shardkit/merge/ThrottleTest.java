package io.shardkit.merge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThrottleTest {
    static final Throttle.Limits LIMITS = new Throttle.Limits(1000, 50);

    @Test
    void goesWhenEverythingIsWithinLimits() {
        assertThat(Throttle.decide(new Throttle.Metrics(Map.of("r1", 0L, "r2", 1000L), Map.of("target", 3L)), LIMITS)).isEqualTo(Throttle.Decision.GO);
    }

    @Test
    void lagBeyondTheLimitOrUnknownThrottlesWithTheReplicaNamed() {
        Throttle.Decision lag = Throttle.decide(new Throttle.Metrics(Map.of("g3-2", 2000L), Map.of()), LIMITS);
        assertThat(lag.throttled()).isTrue();
        assertThat(lag.reason()).isEqualTo("target replica g3-2 lags 2000 ms (max 1000 ms)");
        Map<String, Long> stopped = new HashMap<>();
        stopped.put("g3-2", null);
        assertThat(Throttle.decide(new Throttle.Metrics(stopped, Map.of()), LIMITS).reason()).isEqualTo("target replica g3-2 is not applying (lag unknown)");
    }

    @Test
    void busyPrimariesThrottle() {
        Throttle.Decision d = Throttle.decide(new Throttle.Metrics(Map.of(), Map.of("source g1 primary", 51L)), LIMITS);
        assertThat(d.reason()).isEqualTo("source g1 primary has 51 threads running (max 50)");
    }
}
