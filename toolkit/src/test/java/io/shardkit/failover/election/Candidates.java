package io.shardkit.failover.election;

import io.shardkit.mysql.GtidSet;
import io.shardkit.mysql.MariaDbGtidSet;
import io.shardkit.mysql.MySqlGtidSet;
import io.shardkit.topology.PromotionRule;
import java.time.Duration;

/** Group g1 lost primary p (host h1, zone z1); its replicas are built here by hand. */
final class Candidates {
    static final String U1 = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
    static final String U2 = "4f22ab58-82db-22f2-af44-d91bb0530673";
    static final ElectionContext G1 = ElectionContext.of("g1", "p", "z1");

    private Candidates() {}

    static GtidSet upTo(long n) { return MySqlGtidSet.parse(U1 + ":1-" + n); }

    static GtidSet maria(String text) { return MariaDbGtidSet.parse(text); }

    /** Reachable, healthy, no lag, executed U1:1-{@code n}, version 8.0.36. */
    static Candidate.Builder replica(String name, String host, String zone, long n) {
        return Candidate.builder(name, host, zone).executed(upTo(n)).version("8.0.36");
    }

    static Candidate neutral(String name, String host, String zone, long n) {
        return replica(name, host, zone, n).build();
    }

    static Candidate prefer(String name, String host, String zone, long n) {
        return replica(name, host, zone, n).promotion(PromotionRule.PREFER).build();
    }

    static Duration s(long n) { return Duration.ofSeconds(n); }
}
