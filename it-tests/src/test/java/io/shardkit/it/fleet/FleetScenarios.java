package io.shardkit.it.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.shardkit.it.fixture.Fleet;
import io.shardkit.mysql.ConnectionSettings;
import io.shardkit.mysql.Connections;
import io.shardkit.mysql.Endpoint;
import io.shardkit.mysql.Queries;
import io.shardkit.shell.Main;
import io.shardkit.topology.FleetView;
import io.shardkit.topology.GroupView;
import io.shardkit.topology.InstanceState;
import io.shardkit.topology.Topology;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The foundation scenarios, run once per server flavor (see the subclasses). */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class FleetScenarios {

    /** Output and exit code of one CLI invocation. */
    record Cli(int exit, String out, String err) {}

    static Cli cli(Fleet f, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] full = new String[args.length + 2];
        full[0] = args[0];
        System.arraycopy(args, 1, full, 1, args.length - 1);
        full[args.length] = "--home";
        full[args.length + 1] = f.home().toString();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), full);
        return new Cli(code, out.toString(), err.toString());
    }

    @Test
    @Order(1)
    void fleetHasTheRequestedShapeWithOneIpPerInstance(Fleet f) throws Exception {
        Topology t = f.topology();
        assertThat(t.instances()).hasSize(12);
        assertThat(t.hosts()).hasSize(6);
        Map<String, Long> perHost = t.instances().values().stream().collect(Collectors.groupingBy(Topology.Instance::host, Collectors.counting()));
        assertThat(perHost.values()).allMatch(n -> n >= 2);
        assertThat(t.instances().values().stream().map(Topology.Instance::ip)).doesNotHaveDuplicates();
        Set<Long> serverIds = new HashSet<>();
        for (Topology.Instance i : t.instances().values()) {
            try (Connection c = f.connect(i.name())) {
                // each IP reaches a different server: the instance really is bound to its own address
                serverIds.add(Long.parseLong(Queries.string(c, "SELECT @@server_id")));
                assertThat(Queries.string(c, "SELECT @@port")).isEqualTo("3306");
            }
        }
        assertThat(serverIds).hasSize(12);
        FleetView view = f.discover();
        for (GroupView g : view.groups()) {
            assertThat(g.health()).as("group %s", g.group().name()).isEqualTo(GroupView.Health.OK);
            for (InstanceState s : g.members()) {
                if (s.instance().equals(g.primary().orElseThrow())) assertThat(s.writable()).isTrue();
                else assertThat(s.replica().healthy()).isTrue();
            }
        }
    }

    @Test
    @Order(2)
    void writesReplicateAndTopologyShowListsEveryGroup(Fleet f) throws Exception {
        Topology.Group g1 = f.topology().group("g1");
        String primary = f.discover().group("g1").primary().orElseThrow();
        Endpoint writeTo = f.netns() ? new Endpoint(g1.writerIp(), 3306) : f.topology().instance(primary).endpoint();
        try (Connection c = Connections.open(writeTo, f.admin(), ConnectionSettings.ADMIN)) {
            Queries.execute(c, "CREATE DATABASE IF NOT EXISTS itfleet");
            Queries.execute(c, "CREATE TABLE IF NOT EXISTS itfleet.t (id INT PRIMARY KEY, v VARCHAR(10))");
            Queries.execute(c, "REPLACE INTO itfleet.t VALUES (1, 'one')");
            assertThat(Queries.string(c, "SELECT @@server_id")).isEqualTo(Queries.string(f.connect(primary), "SELECT @@server_id"));
        }
        for (String m : g1.instanceNames()) {
            Fleet.await(m + " has the row", Duration.ofSeconds(20), () -> {
                try (Connection c = f.connect(m)) {
                    return "one".equals(Queries.string(c, "SELECT v FROM itfleet.t WHERE id = 1"));
                } catch (Exception e) {
                    return false;
                }
            });
        }
        FleetView view = f.discover();
        assertThat(view.group("g1").members()).allSatisfy(s -> assertThat(s.gtidExecuted().isEmpty()).isFalse());
        assertThat(g1.instanceNames()).allSatisfy(m -> assertThat(view.group("g1").gtidBehind(m)).isLessThanOrEqualTo(0));

        Cli show = cli(f, "topology", "show", "--sandbox", f.name());
        assertThat(show.exit()).as(show.err()).isZero();
        for (String g : f.topology().groups().keySet()) assertThat(show.out()).contains("group " + g + "  primary ");
        assertThat(show.out()).contains("PRIMARY").contains("REPLICA").contains(view.state(primary).gtidExecuted().format()).contains("12 instances, 0 unreachable");
        Cli json = cli(f, "topology", "show", "--sandbox", f.name(), "--json");
        assertThat(json.out()).contains("\"group\" : \"g4\"").contains("\"secondsBehind\"");
    }

    @Test
    @Order(3)
    void topologyCheckPrintsReadinessPerGroup(Fleet f) {
        Cli check = cli(f, "topology", "check", "--sandbox", f.name());
        assertThat(check.exit()).as(check.out() + check.err()).isZero();
        assertThat(check.out()).contains("no findings");
        for (String g : f.topology().groups().keySet()) {
            assertThat(check.out()).containsPattern(g + "\\s+survives losing: one host yes, one zone yes");
        }
    }

    @Test
    @Order(4)
    void partitionedZoneIsUnreachableThenHeals(Fleet f) {
        assumeTrue(f.netns(), "zone partitions need network namespaces (run as root)");
        Set<String> inZone = instancesWhere(f, i -> f.topology().zoneOf(i.name()).equals("z2"));
        f.sandbox().partitionZone("z2");
        try {
            FleetView cut = f.discover();
            assertThat(cut.unreachable()).containsExactlyInAnyOrderElementsOf(inZone);
        } finally {
            f.sandbox().heal();
        }
        Fleet.await("every instance reachable and replicating again", Duration.ofSeconds(30), () -> {
            FleetView v = f.discover();
            return v.unreachable().isEmpty() && v.groups().stream().allMatch(g -> g.health() == GroupView.Health.OK);
        });
    }

    @Test
    @Order(5)
    void partitionedHostIsCutOffAlone(Fleet f) {
        assumeTrue(f.netns(), "host partitions need network namespaces (run as root)");
        Set<String> onHost = instancesWhere(f, i -> i.host().equals("z3-h2"));
        f.sandbox().partitionHost("z3-h2");
        try {
            assertThat(f.discover().unreachable()).containsExactlyInAnyOrderElementsOf(onHost);
        } finally {
            f.sandbox().heal();
        }
        Fleet.await("host z3-h2 reachable again", Duration.ofSeconds(30), () -> f.discover().unreachable().isEmpty());
    }

    @Test
    @Order(6)
    void managerPartitionedAloneSeesNothingWhileReplicationGoesOn(Fleet f) throws Exception {
        assumeTrue(f.netns(), "manager partitions need network namespaces (run as root)");
        f.sandbox().partitionManager();
        try {
            assertThat(f.discover().unreachable()).containsExactlyInAnyOrderElementsOf(f.topology().instances().keySet());
        } finally {
            f.sandbox().heal();
        }
        Fleet.await("fleet reachable again", Duration.ofSeconds(30), () -> f.discover().unreachable().isEmpty());
        // the replicas never lost their primaries: the manager's view was the only casualty
        assertThat(f.discover().groups()).allSatisfy(g -> assertThat(g.health()).isEqualTo(GroupView.Health.OK));
    }

    @Test
    @Order(7)
    void killedHostTakesExactlyItsInstancesAndNamesTheGroupsThatLostTheirPrimary(Fleet f) {
        FleetView before = f.discover();
        String host = "z1-h1";
        Set<String> onHost = instancesWhere(f, i -> i.host().equals(host));
        List<String> expectLost = before.groups().stream()
                .filter(g -> f.topology().instance(g.primary().orElseThrow()).host().equals(host))
                .map(g -> g.group().name()).toList();
        assertThat(expectLost).isNotEmpty();

        List<String> killed = f.sandbox().killHost(host);
        assertThat(killed).containsExactlyInAnyOrderElementsOf(onHost);
        FleetView after = f.discover();
        assertThat(after.unreachable()).containsExactlyInAnyOrderElementsOf(onHost);
        assertThat(after.groupsWithoutPrimary()).containsExactlyInAnyOrderElementsOf(expectLost);
        for (String g : expectLost) {
            // the dead primary is still named, through what its replicas report
            assertThat(after.group(g).primary()).isEqualTo(before.group(g).primary());
            assertThat(after.group(g).health()).isEqualTo(GroupView.Health.PRIMARY_UNREACHABLE);
        }
        Cli show = cli(f, "topology", "show", "--sandbox", f.name());
        assertThat(show.out()).contains("UNREACHABLE").contains("health PRIMARY_UNREACHABLE");

        // restarted servers come back read-only: a revived old primary must never take writes by itself
        f.sandbox().startHost(host);
        FleetView revived = f.discover();
        assertThat(revived.unreachable()).isEmpty();
        for (String i : onHost) assertThat(revived.state(i).writable()).as(i).isFalse();
        for (String g : expectLost) assertThat(revived.group(g).health()).isEqualTo(GroupView.Health.PRIMARY_READ_ONLY);
    }

    private static Set<String> instancesWhere(Fleet f, java.util.function.Predicate<Topology.Instance> p) {
        return f.topology().instances().values().stream().filter(p).map(Topology.Instance::name).collect(Collectors.toSet());
    }
}
