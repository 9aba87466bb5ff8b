package io.shardkit.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardkit.topology.Lint;
import io.shardkit.topology.Topology;
import io.shardkit.topology.TopologyFile;
import io.shardkit.topology.TopologyWriter;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SandboxLayoutTest {

    static SandboxSpec spec(int zones, int hostsPerZone, int groups, int replicas) {
        return new SandboxSpec("t", SandboxSpec.ServerFlavor.MARIADB, SandboxSpec.Isolation.NETNS, zones, hostsPerZone, groups, replicas);
    }

    @Test
    void theIssueShapeGivesTwelveInstancesOnSixHostsSpreadOverZones() {
        SandboxLayout l = SandboxLayout.of(spec(3, 2, 4, 2), 0, true);
        assertThat(l.hosts()).hasSize(6);
        assertThat(l.instances()).hasSize(12);
        Map<String, Long> perHost = l.instances().stream().collect(Collectors.groupingBy(SandboxLayout.InstanceLayout::host, Collectors.counting()));
        assertThat(perHost).hasSize(6).allSatisfy((h, n) -> assertThat(n).isEqualTo(2L));
        for (SandboxLayout.GroupLayout g : l.groups()) {
            Set<String> hosts = new HashSet<>();
            Set<String> zones = new HashSet<>();
            for (String m : g.members()) {
                hosts.add(l.instance(m).host());
                zones.add(l.host(l.instance(m).host()).zone());
            }
            assertThat(hosts).as("group %s on distinct hosts", g.name()).hasSize(3);
            assertThat(zones).as("group %s over distinct zones", g.name()).hasSize(3);
        }
        Set<String> primaryZones = l.groups().stream().map(g -> l.host(l.instance(g.primary()).host()).zone()).collect(Collectors.toSet());
        assertThat(primaryZones).hasSizeGreaterThan(1);
    }

    @Test
    void addressesAndServerIdsAreUnique() {
        SandboxLayout l = SandboxLayout.of(spec(3, 3, 9, 2), 2, true);
        List<String> ips = new java.util.ArrayList<>();
        l.hosts().forEach(h -> ips.add(h.address()));
        l.instances().forEach(i -> ips.add(i.ip()));
        l.groups().forEach(g -> ips.add(g.writerIp()));
        assertThat(ips).doesNotHaveDuplicates().allMatch(ip -> ip.startsWith("198.18."));
        assertThat(l.instances().stream().map(SandboxLayout.InstanceLayout::serverId)).doesNotHaveDuplicates();
        assertThat(l.hosts().stream().map(SandboxLayout.HostLayout::hostLink)).allMatch(n -> n.length() <= 12);
    }

    @Test
    void slotsDoNotOverlap() {
        SandboxLayout a = SandboxLayout.of(spec(2, 2, 2, 1), 0, true);
        SandboxLayout b = SandboxLayout.of(spec(2, 2, 2, 1), 1, true);
        Set<String> ipsA = a.instances().stream().map(SandboxLayout.InstanceLayout::ip).collect(Collectors.toSet());
        assertThat(b.instances()).noneMatch(i -> ipsA.contains(i.ip()));
        assertThat(SandboxLayout.of(spec(2, 2, 2, 1), 3, false).instances()).allMatch(i -> i.ip().startsWith("127.21."));
    }

    @Test
    void topologyOfTheLayoutIsValidAndReady() {
        SandboxLayout l = SandboxLayout.of(spec(3, 2, 4, 2), 0, true);
        Topology t = l.topology(Path.of("/x/topology.yaml"), Path.of("/x/credentials.cnf"));
        Topology reread = TopologyFile.parse(Path.of("/x/topology.yaml"), TopologyWriter.toYaml(t));
        assertThat(reread.groups()).hasSize(4);
        assertThat(TopologyFile.parse(Path.of("/x/t.yaml"), TopologyWriter.toYaml(t)).instances()).isEqualTo(t.instances());
        assertThat(reread.credentials().admin().section()).isEqualTo("shardkit-admin");
    }

    @Test
    void rejectsShapesThatCannotBePlaced() {
        assertThatThrownBy(() -> spec(1, 2, 1, 2)).hasMessageContaining("needs 3 hosts");
        assertThatThrownBy(() -> spec(0, 2, 1, 0)).hasMessageContaining("--zones");
        assertThatThrownBy(() -> new SandboxSpec("Bad Name", SandboxSpec.ServerFlavor.MYSQL, SandboxSpec.Isolation.AUTO, 1, 1, 1, 0))
                .hasMessageContaining("sandbox name");
    }
}
