package io.shardkit.it.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.catalog.Catalog;
import io.shardkit.failover.FailoverSettings;
import io.shardkit.failover.Failovers;
import io.shardkit.failover.recovery.Recovery;
import io.shardkit.failover.recovery.RecoveryStore;
import io.shardkit.it.fixture.Fleet;
import io.shardkit.mysql.Queries;
import io.shardkit.sandbox.SandboxSpec;
import io.shardkit.topology.FleetView;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Faults that must not cause a failover, and faults that must cause one for several groups at
 * once, on four groups of three over three hosts (so some host carries two primaries): the manager
 * alone cut off from the fleet (no failover: UnreachablePrimary); a primary frozen with SIGSTOP
 * (failed over only once its replicas lost it too, and found fenced when it resumes); a whole host
 * killed (one event: its primaries fail over together, onto different hosts).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class FailoverFaultScenarios {
    static final List<String> GROUPS = List.of("g1", "g2", "g3", "g4");

    static boolean mysql(Fleet f) {
        return f.sandbox().layout().spec().flavor() == SandboxSpec.ServerFlavor.MYSQL;
    }

    @Test
    @Order(1)
    void theManagerAloneCutOffIsNoFailover(Fleet f) throws Exception {
        try (FailoverFixture fx = new FailoverFixture(f, GROUPS, FailoverSettings.defaults(f.admin()))) {
            f.sandbox().partitionManager();
            try {
                Fleet.await("UnreachablePrimary", Duration.ofSeconds(30), () -> fx.progress.stream().anyMatch(l -> l.contains(": UnreachablePrimary")));
                long at = fx.monitor.rounds();
                Fleet.await("eight rounds cut off", Duration.ofSeconds(60), () -> fx.monitor.rounds() > at + 8);
            } finally {
                f.sandbox().heal();
            }
            long healed = fx.monitor.rounds();
            Fleet.await("four rounds healed", Duration.ofSeconds(30), () -> fx.monitor.rounds() > healed + 4);
            assertThat(fx.monitor.results()).as("no failover when only the manager lost the fleet").isEmpty();
            fx.stopAndCheck(GROUPS);
        }
    }

    @Test
    @Order(2)
    void aFrozenPrimaryIsFailedOverOnlyOnceItsReplicasLostItAndIsFencedWhenItResumes(Fleet f) throws Exception {
        String group = "g1";
        try (FailoverFixture fx = new FailoverFixture(f, GROUPS, FailoverSettings.defaults(f.admin()))) {
            String old = FailoverFixture.primary(f, group);
            long frozenAt = System.nanoTime();
            f.sandbox().freezeInstance(old, true);
            Recovery.Result r;
            try {
                r = fx.awaitRecovery(group, Duration.ofSeconds(40));
                assertThat(r.outcome()).as(r.reason()).isEqualTo(Recovery.Outcome.DONE);
                var h = new RecoveryStore(fx.catalog).history(group, 1).getFirst();
                assertThat(h.code()).isEqualTo("StalledPrimary");
                assertThat(h.evidenceJson()).contains("lost the primary");
                assertThat(FailoverFixture.writerIpOn(f, group, old)).as("no writer IP left on the frozen primary's host").isFalse();
                // frozen for 20 s in all
                Fleet.await("20 s frozen", Duration.ofSeconds(30), () -> System.nanoTime() - frozenAt > 20_000_000_000L);
            } finally {
                if (!mysql(f)) f.sandbox().freezeInstance(old, false);
            }
            if (mysql(f)) {
                // async durability: a frozen primary could acknowledge writes the moment it resumes, so it was stopped through its host
                assertThat(f.sandbox().status().stream().filter(s -> s.instance().equals(old)).findFirst().orElseThrow().running()).isFalse();
            } else {
                // semi-sync: it could acknowledge nothing without a replica; the monitor fences it as soon as it answers again
                Fleet.await("the resumed old primary fenced", Duration.ofSeconds(20), () -> {
                    FleetView v = f.discover();
                    return v.state(old).reachable() && !v.state(old).writable();
                });
                try (Catalog c = Catalog.embedded(f.home());
                     Failovers ops = new Failovers(f.topology(), FailoverSettings.defaults(f.admin()), c, FailoverScenarios.servers(f), s -> {})) {
                    String outcome;
                    try {
                        outcome = ops.rejoin(old);
                    } catch (IllegalStateException refused) {
                        outcome = refused.getMessage();
                    }
                    System.out.println("rejoin " + old + ": " + outcome);
                    assertThat(outcome).satisfiesAnyOf(o -> assertThat(o).contains("rejoined"), o -> assertThat(o).contains("rejoin refused").contains("holds transactions"));
                }
            }
            assertThat(fx.prober.violations).isEmpty();
            fx.stopAndCheck(GROUPS);
        }
    }

    @Test
    @Order(3)
    void aDeadHostIsOneEventAndItsPrimariesLandOnDifferentHosts(Fleet f) throws Exception {
        try (FailoverFixture fx = new FailoverFixture(f, GROUPS, FailoverSettings.defaults(f.admin()))) {
            FleetView view = f.discover();
            Map<String, List<String>> primariesByHost = new HashMap<>();
            for (String g : GROUPS) {
                String p = view.group(g).primary().orElseThrow();
                primariesByHost.computeIfAbsent(f.topology().hostOf(p).name(), h -> new java.util.ArrayList<>()).add(g);
            }
            String host = primariesByHost.entrySet().stream().max(Map.Entry.comparingByValue(java.util.Comparator.comparingInt(List::size))).orElseThrow().getKey();
            List<String> hit = primariesByHost.get(host);
            assertThat(hit).as("a host with two or more primaries").hasSizeGreaterThanOrEqualTo(2);
            f.sandbox().killHost(host);
            for (String g : hit) assertThat(fx.awaitRecovery(g, Duration.ofSeconds(40)).outcome()).isEqualTo(Recovery.Outcome.DONE);
            var store = new RecoveryStore(fx.catalog);
            Set<String> events = new HashSet<>();
            Set<String> newHosts = new HashSet<>();
            for (String g : hit) {
                var h = store.history(g, 1).getFirst();
                events.add(h.eventId());
                newHosts.add(f.topology().hostOf(h.newPrimary()).name());
            }
            assertThat(events).as("one event for the host").hasSize(1);
            assertThat(newHosts).as("new primaries spread over the surviving hosts").hasSize(Math.min(hit.size(), 2));
            fx.stopAndCheck(GROUPS);
        }
    }

    /** Every member's executed GTIDs are the same within a group after the dust settles (helper for debugging a failure). */
    static String gtids(Fleet f, String group) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (String m : f.topology().group(group).instanceNames()) {
            try (Connection c = f.connect(m)) {
                sb.append(m).append('=').append(Queries.string(c, "SELECT @@version")).append(' ');
            } catch (Exception e) {
                sb.append(m).append("=down ");
            }
        }
        return sb.toString();
    }
}
