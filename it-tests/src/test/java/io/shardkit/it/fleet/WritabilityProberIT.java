package io.shardkit.it.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.it.fixture.Fleet;
import io.shardkit.it.fixture.FleetShape;
import io.shardkit.it.fixture.MergeRuns;
import io.shardkit.it.fixture.WritabilityProber;
import io.shardkit.mysql.Queries;
import io.shardkit.sandbox.SandboxSpec;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The prober's own test: a healthy group gives no violation; a planted second writable member is caught. */
@FleetShape(flavor = SandboxSpec.ServerFlavor.MARIADB, zones = 2, hostsPerZone = 1, groups = 1, replicas = 1)
class WritabilityProberIT {

    @Test
    void aPlantedSecondWritablePrimaryIsCaught(Fleet f) throws Exception {
        WritabilityProber prober = new WritabilityProber(f.topology(), f.admin());
        CompletableFuture<Void> probing = CompletableFuture.runAsync(prober, MergeRuns.OWN_THREAD);
        Fleet.await("probing", Duration.ofSeconds(10), () -> prober.healthyRounds.get() > 20);
        assertThat(prober.violations).isEmpty();
        String replica = f.topology().group("g1").instanceNames().stream().filter(i -> !i.equals(f.discover().group("g1").primary().orElseThrow())).findFirst().orElseThrow();
        try (Connection c = f.connect(replica)) {
            Queries.execute(c, "SET GLOBAL read_only = OFF");
            Fleet.await("violation seen", Duration.ofSeconds(10), () -> !prober.violations.isEmpty());
            Queries.execute(c, "SET GLOBAL read_only = ON");
        }
        prober.stop();
        probing.get();
        assertThat(prober.violations.getFirst()).contains("group g1 has 2 writable members").contains(replica);
    }
}
