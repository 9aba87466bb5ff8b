package io.shardkit.failover.analysis;

import io.shardkit.mysql.GtidSet;
import io.shardkit.mysql.MariaDbGtidSet;
import io.shardkit.mysql.MySqlGtidSet;
import io.shardkit.mysql.ReplicaStatus.ThreadState;
import io.shardkit.topology.PromotionRule;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Hand-written pieces of snapshots: group g1 with primary p on h1 (z1) and replicas r2 (h2, z2), r3 (h3, z3), r4 (h4, z1). */
final class Snapshots {
    static final String U1 = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
    static final String U2 = "4f22ab58-82db-22f2-af44-d91bb0530673";
    static final Instant AT = Instant.parse("2025-03-01T10:00:00Z");

    static final Member P = new Member("p", "h1", "z1", PromotionRule.NEUTRAL);
    static final Member R2 = new Member("r2", "h2", "z2", PromotionRule.PREFER);
    static final Member R3 = new Member("r3", "h3", "z3", PromotionRule.NEUTRAL);
    static final Member R4 = new Member("r4", "h4", "z1", PromotionRule.PREFER_NOT);

    static final Analyzer ANALYZER = new Analyzer(AnalysisSettings.DEFAULT);

    private Snapshots() {}

    static GtidSet my(String text) { return MySqlGtidSet.parse(text); }

    static GtidSet maria(String text) { return MariaDbGtidSet.parse(text); }

    static GtidSet primarySet() { return my(U1 + ":1-100"); }

    static Duration ms(long n) { return Duration.ofMillis(n); }

    static Duration s(long n) { return Duration.ofSeconds(n); }

    /** Follows p, both threads running, last heard {@code ago}. */
    static ReplicaView streaming(Member m, Duration ago) {
        return ReplicaView.builder(m).streaming("p", ago).executed(primarySet()).received(primarySet()).build();
    }

    static ReplicaView streaming(Member m) { return streaming(m, ms(300)); }

    /** Follows p, IO thread reconnecting in vain. */
    static ReplicaView connecting(Member m) {
        return ReplicaView.builder(m).source("p").io(ThreadState.CONNECTING, "error connecting to master 'repl@10.0.1.11:3306' - retry-time: 1")
                .sql(ThreadState.RUNNING, null).heard(s(20)).executed(primarySet()).received(primarySet()).build();
    }

    static ReplicaView down(Member m) { return ReplicaView.unreachable(m, "connect timed out"); }

    static GroupSnapshot group(PrimaryProbe probe, ReplicaView... replicas) {
        return new GroupSnapshot("g1", AT, P, probe, List.of(replicas));
    }

    static PrimaryProbe alive() { return PrimaryProbe.answered(primarySet(), ms(4)); }

    static PrimaryProbe timedOut() { return PrimaryProbe.failed(Reach.TIMED_OUT, "connect timed out after 2 s"); }

    static PrimaryProbe refused() { return PrimaryProbe.failed(Reach.REFUSED, "Connection refused"); }

    static PrimaryProbe stalled() { return PrimaryProbe.failed(Reach.STALLED, "handshake not received within 2 s"); }

    static Analysis analyze(GroupSnapshot s) { return ANALYZER.analyze(s); }
}
