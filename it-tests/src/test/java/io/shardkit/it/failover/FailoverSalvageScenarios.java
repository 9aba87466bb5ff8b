package io.shardkit.it.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.failover.FailoverSettings;
import io.shardkit.failover.recovery.Recovery;
import io.shardkit.it.fixture.AckWriter;
import io.shardkit.it.fixture.Fleet;
import io.shardkit.mysql.Queries;
import io.shardkit.topology.Topology;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What survives needs more than the survivors: on an async group whose replicas stopped receiving
 * (IO threads stopped) while the primary kept acknowledging writes, kill -9 of the primary's mysqld
 * leaves those writes only in its binary log. The failover reads it through the host and replays
 * them on the new primary before it opens: every acknowledged write is there. Also the promotion
 * rules on a real fleet: a must-not replica is passed over even when it sorts first.
 */
abstract class FailoverSalvageScenarios {

    @Test
    void writesNoReplicaReceivedAreSalvagedFromTheDeadPrimarysBinaryLog(Fleet f) throws Exception {
        String old = FailoverFixture.primary(f, "g1");
        List<String> replicas = f.topology().group("g1").instanceNames().stream().filter(m -> !m.equals(old)).sorted().toList();
        // async durability (MariaDB's default here is semi-sync, which would have stopped acknowledging instead), and the first
        // replica by name must never be primary
        Topology t = FailoverFixture.edited(f, Map.of("g1", Map.of("durability", "async")), Map.of(replicas.getFirst(), "must-not"));
        try (FailoverFixture fx = new FailoverFixture(f, t, List.of("g1"), FailoverSettings.defaults(f.admin()))) {
            String dead = old;
            // round 2: the old primary rejoins, the new one rotates its binary log (a file that begins after two members were
            // primary: MariaDB's GTID list at its head names domain 0 once per server id) and dies the same way
            for (int round = 1; round <= 2; round++) {
                String primary = FailoverFixture.primary(f, "g1");
                if (round == 2) {
                    new io.shardkit.failover.recovery.RecoveryStore(fx.catalog).acknowledge("g1", "test: round 1");
                    FailoverFaultScenarios.rejoinOrRefused(f, fx.catalog, dead);
                    try (Connection c = f.connect(primary)) {
                        Queries.execute(c, "FLUSH BINARY LOGS");
                    }
                }
                for (String r : f.topology().group("g1").instanceNames()) {
                    if (r.equals(primary)) continue;
                    try (Connection c = f.connect(r)) {
                        Queries.execute(c, "STOP SLAVE IO_THREAD");
                    }
                }
                AckWriter w = fx.writer("g1");
                int before = w.acknowledged.size();
                Fleet.await("writes no replica receives", Duration.ofSeconds(20), () -> w.acknowledged.size() > before + 25);
                long killedAt = System.nanoTime();
                f.sandbox().killInstance(primary);
                Recovery.Result r = fx.monitoring.awaitRecovery("g1", round, Duration.ofSeconds(40));
                assertThat(r.outcome()).as("round " + round + ": " + r.reason()).isEqualTo(Recovery.Outcome.DONE);
                assertThat(r.newPrimary()).as("the must-not replica is never promoted").isNotEqualTo(replicas.getFirst());
                if (round == 1) assertThat(r.newPrimary()).isEqualTo(replicas.getLast());
                Recovery.Step salvage = r.steps().stream().filter(s -> s.name().equals("salvage")).findFirst().orElseThrow();
                assertThat(String.join("; ", salvage.evidence())).as("round " + round).contains("salvaged");
                System.out.printf("round %d: kill -9 with lagging replicas: writes blocked %d ms; %s; %s%n", round, (w.backAfterOutage(killedAt) - killedAt) / 1_000_000,
                        r.steps().stream().map(s -> s.name() + " " + s.millis() + " ms").toList(), salvage.evidence());
                dead = primary;
            }
            fx.stopAndCheck(List.of("g1"));
        }
    }
}
