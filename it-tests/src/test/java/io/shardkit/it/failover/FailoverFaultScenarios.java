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
 * alone cut off from the fleet or from one primary (no failover); a primary frozen with SIGSTOP
 * (failed over only once its replicas lost it too, and stopped through its host, so it cannot
 * resume beside the new primary); a zone cut off with a client inside it; a whole host killed (one event: its primaries fail over together,
 * onto different hosts).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class FailoverFaultScenarios {
    static final List<String> GROUPS = List.of("g1", "g2", "g3", "g4");

    static boolean mysql(Fleet f) {
        return f.sandbox().layout().spec().flavor() == SandboxSpec.ServerFlavor.MYSQL;
    }

    /**
     * The manager loses the fleet (its own link) and then only one primary's host (blackhole routes:
     * the hosts still see each other, the replicas keep replicating). Neither is a failover: the
     * first cannot be confirmed by anyone (no replica and no other host answers the manager), the
     * second is refuted by the replicas (UnreachablePrimary).
     */
    @Test
    @Order(1)
    void theManagerAloneCutOffIsNoFailover(Fleet f) throws Exception {
        try (FailoverFixture fx = new FailoverFixture(f, GROUPS, FailoverSettings.defaults(f.admin()))) {
            f.sandbox().partitionManager();
            try {
                Fleet.await("UnconfirmedPrimaryFailure", Duration.ofSeconds(30), () -> fx.progress.stream().anyMatch(l -> l.contains(": UnconfirmedPrimaryFailure")));
                long at = fx.monitor.rounds();
                Fleet.await("eight rounds cut off", Duration.ofSeconds(60), () -> fx.monitor.rounds() > at + 8);
            } finally {
                f.sandbox().heal();
            }
            Fleet.await("the manager sees g1's primary again", Duration.ofSeconds(20), () -> f.discover().group("g1").primary().isPresent());
            String p = FailoverFixture.primary(f, "g1");
            String host = f.topology().hostOf(p).name();
            f.sandbox().partitionManagerFrom(host);
            try {
                Fleet.await("g1: UnreachablePrimary", Duration.ofSeconds(30), () -> fx.progress.stream().anyMatch(l -> l.startsWith("g1: UnreachablePrimary")));
                long at = fx.monitor.rounds();
                Fleet.await("eight rounds with " + host + " cut off from the manager", Duration.ofSeconds(60), () -> fx.monitor.rounds() > at + 8);
            } finally {
                f.sandbox().heal();
            }
            long healed = fx.monitor.rounds();
            Fleet.await("four rounds healed", Duration.ofSeconds(30), () -> fx.monitor.rounds() > healed + 4);
            assertThat(fx.monitor.results()).as("no failover when only the manager lost the fleet or a primary").isEmpty();
            assertThat(FailoverFixture.primary(f, "g1")).isEqualTo(p);
            fx.stopAndCheck(GROUPS);
        }
    }

    @Test
    @Order(2)
    void aFrozenPrimaryIsFailedOverOnlyOnceItsReplicasLostItAndIsStoppedThroughItsHost(Fleet f) throws Exception {
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
                if (running(f, old)) f.sandbox().freezeInstance(old, false);
            }
            // its host answered, so the recovery stopped it there (SIGKILL ends a stopped process too): it cannot resume
            // and take writes beside the new primary, and a fence by SQL would have waited behind its waiting commits
            assertThat(running(f, old)).as(old + " stopped through its host").isFalse();
            assertThat(r.steps().stream().filter(st -> st.name().equals("fence")).findFirst().orElseThrow().evidence()).anySatisfy(l -> assertThat(l).contains("SIGKILL"));
            rejoinOrRefused(f, fx.catalog, old);
            assertThat(fx.prober.violations).isEmpty();
            fx.stopAndCheck(GROUPS);
        }
    }

    static boolean running(Fleet f, String instance) {
        return f.sandbox().status().stream().filter(s -> s.instance().equals(instance)).findFirst().orElseThrow().running();
    }

    /** The old primary (started again if it was stopped: it comes back read-only) rejoins as a replica, or is refused for errant transactions. */
    static void rejoinOrRefused(Fleet f, Catalog catalog, String old) throws Exception {
        if (!running(f, old)) f.sandbox().startInstance(old);
        try (Failovers ops = new Failovers(f.topology(), FailoverSettings.defaults(f.admin()), catalog, FailoverScenarios.servers(f), s -> {})) {
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

    /**
     * The zone holding the most primaries is cut off from the other zones and the manager while a
     * client inside it keeps writing to its old primary through the writer IP. Its primaries fail
     * over to other zones; with semi-sync (MariaDB) the cut-off primary can acknowledge nothing
     * (its replicas are all outside), so the in-zone client gets no write acknowledged after the
     * cut; with async durability (MySQL here, without the semi-sync plugin) it does, and those
     * writes are what the README says async can lose. After the heal the monitor fences the old
     * primary and takes the writer IP off its host; rejoining it is refused for its errant
     * transactions, or succeeds when it has none.
     */
    @Test
    @Order(3)
    void aZoneCutOffFailsOverItsPrimariesAndItsOwnClientsWritesAreNotAcknowledged(Fleet f) throws Exception {
        try (FailoverFixture fx = new FailoverFixture(f, GROUPS, FailoverSettings.defaults(f.admin()))) {
            for (String g : GROUPS) new RecoveryStore(fx.catalog).acknowledge(g, "test: earlier cases");
            FleetView view = f.discover();
            Map<String, List<String>> byZone = new HashMap<>();
            Map<String, String> oldPrimary = new HashMap<>();
            for (String g : GROUPS) {
                String p = view.group(g).primary().orElseThrow();
                oldPrimary.put(g, p);
                byZone.computeIfAbsent(f.topology().zoneOf(p), z -> new java.util.ArrayList<>()).add(g);
            }
            String zone = byZone.entrySet().stream().max(Map.Entry.comparingByValue(java.util.Comparator.comparingInt(List::size))).orElseThrow().getKey();
            List<String> hit = byZone.get(zone);
            String group = hit.getFirst();
            String old = oldPrimary.get(group);
            String host = f.topology().hostOf(old).name();
            System.out.println("zone " + zone + " holds the primaries of " + hit + "; a client on " + host + " writes to " + group + "'s writer IP");
            try (Connection c = f.connect(old)) {
                Queries.execute(c, "CREATE TABLE IF NOT EXISTS fo.zc (id BIGINT AUTO_INCREMENT PRIMARY KEY, tag VARCHAR(64) NOT NULL UNIQUE)");
            }
            long cutAt;
            long cutNanos;
            long healedAt;
            try (ZoneClient client = new ZoneClient(f, host, f.topology().group(group).writerIp(), "fo.zc", "zc")) {
                try {
                    Fleet.await("the in-zone client writing", Duration.ofSeconds(30), () -> client.acknowledged.size() > 20);
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + " (" + client.acknowledged.size() + " acknowledged; its last error: " + client.lastError() + ")", e);
                }
                cutAt = System.currentTimeMillis();
                cutNanos = System.nanoTime();
                f.sandbox().partitionZone(zone);
                try {
                    for (String g : hit) {
                        Recovery.Result r = fx.awaitRecovery(g, Duration.ofSeconds(40));
                        assertThat(r.outcome()).as(g + ": " + r.reason()).isEqualTo(Recovery.Outcome.DONE);
                        assertThat(f.topology().zoneOf(r.newPrimary())).as(g + "'s new primary outside the cut zone").isNotEqualTo(zone);
                    }
                    // the in-zone client keeps trying for a while after the failover
                    long done = System.currentTimeMillis();
                    Fleet.await("the in-zone client tried for 3 s after the failover", Duration.ofSeconds(20), () -> System.currentTimeMillis() > done + 3000);
                    client.stop();
                } finally {
                    f.sandbox().heal();
                    healedAt = System.nanoTime();
                }
                List<ZoneClient.Ack> late = client.acknowledged.stream().filter(a -> a.epochMillis() > cutAt + 500).toList();
                System.out.println("in-zone client: " + client.acknowledged.size() + " writes acknowledged, " + late.size() + " of them later than 0.5 s after the cut");
                if (mysql(f)) {
                    System.out.println("async durability: " + late.size() + " writes the cut-off primary acknowledged are not on the new primary (the README's async loss case)");
                } else {
                    assertThat(late).as("semi-sync: the cut-off primary acknowledged nothing after the cut").isEmpty();
                }
                // what was acknowledged before the cut is on the new primary
                String now = fx.awaitRecovery(group, Duration.ofSeconds(1)).newPrimary();
                Set<String> there = new HashSet<>();
                try (Connection c = f.connect(now); var st = c.createStatement(); var rs = st.executeQuery("SELECT tag FROM fo.zc")) {
                    while (rs.next()) there.add(rs.getString(1));
                }
                List<String> lost = client.acknowledged.stream().filter(a -> a.epochMillis() <= cutAt).map(ZoneClient.Ack::tag).filter(t -> !there.contains(t)).toList();
                assertThat(lost).as("writes acknowledged before the cut, missing on the new primary").isEmpty();
            }
            // healed: each cut-off old primary answers again beside its new one; the monitor fences it (or stops it through its
            // host) and takes the writer IP off its host
            Fleet.await("every cut-off old primary fenced and its writer IP off its host", Duration.ofSeconds(30), () -> {
                try {
                    FleetView v = f.discover();
                    for (String g : hit) {
                        String o = oldPrimary.get(g);
                        boolean fenced = !running(f, o) || (v.state(o).reachable() && !v.state(o).writable());
                        if (!fenced || FailoverFixture.writerIpOn(f, g, o)) return false;
                    }
                    return true;
                } catch (Exception e) {
                    return false;
                }
            });
            System.out.println("healed: " + hit.stream().map(oldPrimary::get).toList() + " fenced and their writer IPs off their host "
                    + (System.nanoTime() - healedAt) / 1_000_000 + " ms after the heal at most");
            rejoinOrRefused(f, fx.catalog, old);
            // nobody can fence a primary it cannot reach: a cut-off primary keeps read_only off until the partition heals, and the
            // prober (beside the manager) sees it writable beside the new primary until the monitor fences it in its next round.
            // What it acknowledged meanwhile is the check above: nothing with semi-sync; its own zone's writes with async.
            List<String> seen = List.copyOf(fx.prober.violations);
            System.out.println("after the heal the prober saw " + seen.size() + " rounds with a cut-off old primary still writable beside the new one");
            for (String v : seen) assertThat(hit.stream().anyMatch(g -> v.contains("group " + g + " ") && v.contains(oldPrimary.get(g)))).as(v).isTrue();
            fx.prober.violations.clear();
            if (mysql(f)) {
                // the manager-side writers too: an acknowledgement in flight at the cut, not yet on any replica (bounded: 1 s)
                List<String> forgiven = fx.forgiveAsyncLoss(GROUPS, cutNanos - Duration.ofSeconds(1).toNanos());
                System.out.println("async durability: " + forgiven.size() + " writes through the writer IPs acknowledged within 1 s of the cut are not on the new primary");
            }
            fx.stopAndCheck(GROUPS);
        }
    }

    @Test
    @Order(4)
    void aDeadHostIsOneEventAndItsPrimariesLandOnDifferentHosts(Fleet f) throws Exception {
        // every group has a STONITH hook: it must run once for the dead host, not once per group
        java.nio.file.Path shots = f.home().resolve("stonith.log");
        java.nio.file.Path hook = f.home().resolve("stonith.sh");
        java.nio.file.Files.writeString(hook, "#!/bin/sh\n{ cat; echo; } >> '" + shots + "'\necho 'powered off (test hook)'\n");
        hook.toFile().setExecutable(true);
        Map<String, Map<String, Object>> settings = new HashMap<>();
        for (String g : GROUPS) settings.put(g, Map.of("stonith-hook", hook.toString()));
        io.shardkit.topology.Topology t = FailoverFixture.edited(f, settings, Map.of());
        try (FailoverFixture fx = new FailoverFixture(f, t, GROUPS, FailoverSettings.defaults(f.admin()))) {
            for (String g : GROUPS) new RecoveryStore(fx.catalog).acknowledge(g, "test: earlier cases");
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
            for (String g : hit) {
                Recovery.Result r = fx.awaitRecovery(g, Duration.ofSeconds(40));
                assertThat(r.outcome()).as(r.reason()).isEqualTo(Recovery.Outcome.DONE);
                String fence = String.join("; ", r.steps().stream().filter(st -> st.name().equals("fence")).findFirst().orElseThrow().evidence());
                assertThat(fence).as(g + "'s fence step").contains("stonith-hook " + hook, "powered off host " + host);
            }
            List<String> shot = java.nio.file.Files.readAllLines(shots).stream().filter(l -> !l.isBlank()).toList();
            System.out.println("stonith-hook ran " + shot.size() + " time(s) for " + hit.size() + " groups on " + host + ": " + shot);
            assertThat(shot).as("one STONITH for the host").hasSize(1);
            assertThat(shot.getFirst()).contains("\"event\":\"stonith\"", "\"host\":\"" + host + "\"");
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
