package io.shardkit.it.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.shardkit.it.fixture.AckCheck;
import io.shardkit.it.fixture.AckWriter;
import io.shardkit.it.fixture.Fleet;
import io.shardkit.it.fixture.FleetShape;
import io.shardkit.it.fixture.MergeRuns;
import io.shardkit.mysql.Endpoint;
import io.shardkit.mysql.Queries;
import io.shardkit.sandbox.SandboxSpec;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The MHA peer works end to end before the failover benchmark leans on it: MHA 0.58 watches g1, an
 * application writes through g1's writer IP, the primary's mysqld is killed (-9), MHA fails over
 * (writer IP moved, the other replica repointed) and the client's writes resume. Prints the time
 * from the kill to the first write acknowledged through the writer IP, and checks every
 * acknowledged write is on the new primary. Run only with -Pbench and -Dtest=MhaPeerSmoke.
 */
@Tag("bench")
@FleetShape(flavor = SandboxSpec.ServerFlavor.MARIADB, zones = 3, hostsPerZone = 1, groups = 1, replicas = 2)
class MhaPeerSmoke {

    @Test
    void mhaFailsOverAKilledPrimaryAndKeepsEveryAcknowledgedWrite(Fleet f) throws Exception {
        Optional<String> why = MhaPeer.unavailable(f);
        assumeTrue(why.isEmpty(), () -> "MHA peer unavailable: " + why.orElse(""));
        int ping = Integer.getInteger("bench.mha.ping", 1);
        String old = Bench.primary(f, "g1");
        try (Connection c = f.connect(old)) {
            Queries.execute(c, "CREATE DATABASE IF NOT EXISTS mha");
            Queries.execute(c, "CREATE TABLE IF NOT EXISTS mha.acks (id BIGINT AUTO_INCREMENT PRIMARY KEY, tag VARCHAR(64) NOT NULL UNIQUE)");
        }
        long t0 = System.nanoTime();
        try (MhaPeer mha = new MhaPeer(f, "g1", Bench.dir().resolve("mha-smoke"), ping)) {
            System.out.printf("[mha] set up and monitoring %s in %.1f s (log: %s)%n", old, (System.nanoTime() - t0) / 1e9, mha.log());
            Endpoint writer = new Endpoint(f.topology().group("g1").writerIp(), 3306);
            // the application user: read_only refuses it on a replica, as it would a real client
            AckWriter w = new AckWriter("mha", f.app(), () -> new AckWriter.Route("writer", writer, "INSERT INTO mha.acks (tag) VALUES (?)"), 20_000_000L);
            CompletableFuture<Void> running = CompletableFuture.runAsync(w, MergeRuns.OWN_THREAD);
            try {
                Fleet.await("writes through g1's writer IP", Duration.ofSeconds(20), () -> w.acknowledged.size() > 20);
                long killedAt = System.nanoTime();
                f.sandbox().killInstance(old);
                long dead = System.nanoTime();
                String promoted = mha.awaitFailover(Duration.ofMinutes(2));
                Fleet.await("a write acknowledged through the writer IP after the kill (client errors: " + w.errors + ")", Duration.ofSeconds(30),
                        () -> w.backAfterOutage(dead) > 0);
                long firstWrite = w.backAfterOutage(dead);
                int after = w.acknowledged.size();
                Fleet.await("more writes on " + promoted, Duration.ofSeconds(20), () -> w.acknowledged.size() > after + 20);
                w.stop();
                running.get();
                assertThat(w.failure()).isNull();
                List<String> tags = new ArrayList<>();
                try (Connection c = f.connect(promoted); var st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT tag FROM mha.acks")) {
                    while (rs.next()) tags.add(rs.getString(1));
                }
                assertThat(AckCheck.violations(List.of(w), AckCheck.count(tags))).as("acknowledged writes over %d rows on %s", tags.size(), promoted).isEmpty();
                for (String r : f.topology().group("g1").instanceNames()) {
                    if (r.equals(old) || r.equals(promoted)) continue;
                    try (Connection c = f.connect(r)) {
                        Map<String, Object> st = Queries.rows(c, "SHOW SLAVE STATUS").getFirst();
                        assertThat(st.get("Master_Host")).as(r + " repointed by MHA").isEqualTo(f.topology().instance(promoted).ip());
                        assertThat(List.of(st.get("Slave_IO_Running"), st.get("Slave_SQL_Running"))).as(r + " replicating").containsOnly("Yes");
                    }
                }
                System.out.printf("[mha] MHA 0.58 (ping_interval %d): kill -9 of %s's mysqld to the first write acknowledged through the writer IP: %d ms"
                        + " (new primary %s; %d acknowledged writes, all on it; %d refused, %d of unknown outcome)%n", ping, old, (firstWrite - killedAt) / 1_000_000,
                        promoted, w.acknowledged.size(), w.refused.size(), w.unknown.size());
            } finally {
                w.stop();
                running.exceptionally(e -> null).get();
            }
        }
    }
}
