package io.shardkit.it.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.shardkit.failover.FailoverSettings;
import io.shardkit.failover.recovery.Recovery;
import io.shardkit.it.fixture.Fleet;
import io.shardkit.mysql.Queries;
import io.shardkit.topology.Topology;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The election's rules on a real fleet (three groups of three, one group per case), under client
 * load through the writer IPs: a {@code prefer} replica that lags within the lag limit wins and
 * catches up before it opens; one that lags past the limit loses to a fresh replica; an errant
 * transaction on the best candidate blocks it with a clear line in the journal. The lag is real:
 * a session on the replica holds a global read lock its SQL thread waits behind.
 */
abstract class ElectionScenarios {
    static final Duration MAX_LAG = Duration.ofSeconds(3);

    static FailoverSettings settings(Fleet f) {
        FailoverSettings d = FailoverSettings.defaults(f.admin());
        return new FailoverSettings(d.admin(), d.probe(), d.analysis(), d.antiFlap(), MAX_LAG);
    }

    /** The group's replicas, by name. */
    static List<String> replicas(Fleet f, String group) {
        String p = FailoverFixture.primary(f, group);
        return f.topology().group(group).instanceNames().stream().filter(m -> !m.equals(p)).sorted().toList();
    }

    /**
     * Holds a global read lock on the replica for {@code hold} (its SQL thread cannot commit, so it
     * lags while its IO thread still receives), then kills the primary and lets go of the lock
     * {@code releaseAfterKill} later. Returns the recovery.
     */
    static Recovery.Result lagThenKill(Fleet f, FailoverFixture fx, String group, String laggard, Duration hold, Duration releaseAfterKill) throws Exception {
        String old = FailoverFixture.primary(f, group);
        try (Connection c = f.connect(laggard)) {
            Queries.execute(c, "FLUSH TABLES WITH READ LOCK");
            long locked = System.nanoTime();
            Fleet.await(laggard + " lagging for " + hold.toMillis() + " ms", hold.plusSeconds(10), () -> System.nanoTime() - locked > hold.toNanos());
            f.sandbox().killInstance(old);
            long killed = System.nanoTime();
            CompletableFuture<Recovery.Result> r = CompletableFuture.supplyAsync(() -> fx.awaitRecovery(group, Duration.ofSeconds(60)), io.shardkit.it.fixture.MergeRuns.OWN_THREAD);
            Fleet.await("time to let go of the lock", releaseAfterKill.plusSeconds(10), () -> System.nanoTime() - killed > releaseAfterKill.toNanos() || r.isDone());
            Queries.execute(c, "UNLOCK TABLES");
            return r.get();
        }
    }

    @Test
    void aPreferReplicaLaggingWithinTheLimitWinsAndCatchesUpFirst(Fleet f) throws Exception {
        String group = "g1";
        String preferred = replicas(f, group).getLast(); // the loser by name: only the rule can make it win
        Topology t = FailoverFixture.edited(f, Map.of(), Map.of(preferred, "prefer"));
        try (FailoverFixture fx = new FailoverFixture(f, t, List.of(group), settings(f))) {
            Recovery.Result r = lagThenKill(f, fx, group, preferred, Duration.ofMillis(1500), Duration.ofMillis(800));
            assertThat(r.outcome()).as(r.reason()).isEqualTo(Recovery.Outcome.DONE);
            assertThat(r.newPrimary()).as("the prefer replica, within the lag limit").isEqualTo(preferred);
            Recovery.Step catchUp = r.steps().stream().filter(s -> s.name().equals("catch-up")).findFirst().orElseThrow();
            System.out.println("prefer within the limit: catch-up " + catchUp.millis() + " ms: " + catchUp.evidence());
            fx.stopAndCheck(List.of(group)); // every acknowledged write is on it: it applied what it received before opening
        }
    }

    @Test
    void aPreferReplicaLaggingPastTheLimitLosesToAFreshOne(Fleet f) throws Exception {
        String group = "g2";
        List<String> rs = replicas(f, group);
        String preferred = rs.getFirst();
        Topology t = FailoverFixture.edited(f, Map.of(), Map.of(preferred, "prefer"));
        try (FailoverFixture fx = new FailoverFixture(f, t, List.of(group), settings(f))) {
            Recovery.Result r = lagThenKill(f, fx, group, preferred, MAX_LAG.plusSeconds(3), Duration.ofMillis(500));
            assertThat(r.outcome()).as(r.reason()).isEqualTo(Recovery.Outcome.DONE);
            assertThat(r.newPrimary()).as("the fresh neutral replica").isEqualTo(rs.getLast());
            String elect = String.join("; ", r.steps().stream().filter(s -> s.name().equals("elect")).findFirst().orElseThrow().evidence());
            System.out.println("prefer past the limit: " + elect);
            assertThat(elect).contains(preferred).contains("limit " + MAX_LAG.toSeconds() + " s");
            fx.stopAndCheck(List.of(group));
        }
    }

    /**
     * MySQL only: a GTID set names every transaction, so an errant one shows however many follow it.
     * MariaDB's GTID position keeps only each domain's last transaction, which the primary's next
     * ones overwrite on the replica; rejoin compares binlog states instead (see the README).
     */
    @Test
    void anErrantTransactionBlocksTheBestCandidate(Fleet f) throws Exception {
        assumeTrue(FailoverFaultScenarios.mysql(f), "errant detection by GTID set: MySQL");
        String group = "g3";
        List<String> rs = replicas(f, group);
        String best = rs.getFirst();
        Topology t = FailoverFixture.edited(f, Map.of(), Map.of(best, "prefer"));
        try (FailoverFixture fx = new FailoverFixture(f, t, List.of(group), settings(f))) {
            try (Connection c = f.connect(best)) {
                // an administrator's write on a replica: a transaction the primary never had
                Queries.execute(c, "SET GLOBAL super_read_only = OFF");
                Queries.execute(c, "CREATE TABLE fo.errant (id INT PRIMARY KEY)");
                Queries.execute(c, "SET GLOBAL super_read_only = ON");
            }
            String old = FailoverFixture.primary(f, group);
            f.sandbox().killInstance(old);
            Recovery.Result r = fx.awaitRecovery(group, Duration.ofSeconds(40));
            String elect = String.join("; ", r.steps().stream().filter(s -> s.name().equals("elect")).findFirst().orElseThrow().evidence());
            System.out.println("errant best candidate: " + r.outcome() + ", " + elect);
            assertThat(r.newPrimary()).as("never the errant replica").isNotEqualTo(best);
            assertThat(elect).contains(best).containsIgnoringCase("errant");
        }
    }
}
