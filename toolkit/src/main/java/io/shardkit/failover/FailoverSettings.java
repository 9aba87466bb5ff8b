package io.shardkit.failover;

import io.shardkit.failover.analysis.AnalysisSettings;
import io.shardkit.failover.probe.ProbeSettings;
import io.shardkit.failover.recovery.AntiFlapLimits;
import io.shardkit.mysql.Credential;
import java.time.Duration;

/**
 * How the monitor watches and acts, validated once: probe cadence and timeouts, the analysis'
 * thresholds, anti-flap limits, and the election's lag limit.
 */
public record FailoverSettings(Credential admin, ProbeSettings probe, AnalysisSettings analysis, AntiFlapLimits antiFlap, Duration maxLag) {
    public FailoverSettings {
        if (admin == null) throw new IllegalArgumentException("the monitor needs the admin credential");
        if (maxLag == null || maxLag.isNegative()) throw new IllegalArgumentException("lag limit must be zero or more");
    }

    public static FailoverSettings defaults(Credential admin) {
        return new FailoverSettings(admin, ProbeSettings.DEFAULT, AnalysisSettings.DEFAULT, AntiFlapLimits.DEFAULT, Duration.ofSeconds(60));
    }
}
