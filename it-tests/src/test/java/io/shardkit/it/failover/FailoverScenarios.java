package io.shardkit.it.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.failover.FailoverSettings;
import io.shardkit.failover.recovery.Recovery;
import io.shardkit.failover.recovery.RecoveryStore;
import io.shardkit.it.fixture.AckWriter;
import io.shardkit.it.fixture.Fleet;
import io.shardkit.topology.FleetView;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Failover on a real fleet: the monitor watches, a fault is injected, and the checks are the
 * invariants: every acknowledged write on the new primary, never two writable members in one
 * group, the writer IP on the new primary's host, the other replicas following it, a journal.
 */
abstract class FailoverScenarios {

    @Test
    void killNineOfAPrimaryFailsOverWithoutLosingAnAcknowledgedWrite(Fleet f) throws Exception {
        List<String> groups = List.of("g1", "g2");
        try (FailoverFixture fx = new FailoverFixture(f, groups, FailoverSettings.defaults(f.admin()))) {
            String old = FailoverFixture.primary(f, "g1");
            AckWriter w = fx.writer("g1");
            int before = w.acknowledged.size();
            long killedAt = System.nanoTime();
            f.sandbox().killInstance(old);
            Recovery.Result r = fx.awaitRecovery("g1", Duration.ofSeconds(30));
            assertThat(r.outcome()).as(r.reason()).isEqualTo(Recovery.Outcome.DONE);
            Fleet.await("g1's client writing again", Duration.ofSeconds(20),
                    () -> w.acknowledged.stream().anyMatch(a -> a.atNanos() > killedAt));
            long firstAfter = w.acknowledged.stream().filter(a -> a.atNanos() > killedAt).mapToLong(AckWriter.Attempt::atNanos).min().orElseThrow();
            System.out.printf("kill -9 to the first write acknowledged through the writer IP: %d ms; recovery %s%n", (firstAfter - killedAt) / 1_000_000, r.steps());
            String now = r.newPrimary();
            assertThat(now).isNotEqualTo(old);
            FleetView view = f.discover();
            assertThat(view.group("g1").primary()).contains(now);
            assertThat(view.state(now).writable()).isTrue();
            assertThat(FailoverFixture.writerIpOn(f, "g1", now)).as("writer IP on the new primary's host").isTrue();
            for (String m : f.topology().group("g1").instanceNames()) {
                if (m.equals(now) || m.equals(old)) continue;
                assertThat(view.state(m).replica().sourceHost()).as("%s follows the new primary", m).isEqualTo(f.topology().instance(now).ip());
            }
            assertThat(w.acknowledged.size()).isGreaterThan(before);
            fx.stopAndCheck(groups);
            var history = new RecoveryStore(fx.catalog).history("g1", 5);
            assertThat(history).first().satisfies(h -> {
                assertThat(h.outcome()).isEqualTo("done");
                assertThat(h.oldPrimary()).isEqualTo(old);
                assertThat(h.newPrimary()).isEqualTo(now);
                assertThat(h.code()).startsWith("DeadPrimary");
            });
            assertThat(new RecoveryStore(fx.catalog).steps(history.getFirst().id())).extracting(e -> e.stepName())
                    .containsExactly("lock", "fence", "elect", "catch-up", "promote", "endpoint", "repoint");
            f.sandbox().startInstance(old); // back read-only: not part of the group until rejoined
        }
    }
}
