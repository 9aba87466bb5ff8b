package io.shardkit.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.assertj.core.api.Condition;
import org.junit.jupiter.api.Test;

class TopologyFileTest {
    static final Path FILE = Path.of("/etc/shardkit/fleet.yaml");

    static final String VALID = """
            credentials:
              admin: {user: shardkit_admin, option-file: creds.cnf, section: shardkit-admin}
              replication: {user: shardkit_repl, env: REPL_PW}
            zones: [z1, z2]
            hosts:
              h1: {zone: z1, address: 10.1.0.1}
              h2: {zone: z2, address: 10.2.0.1}
            instances:
              a1: {host: h1, ip: 10.1.0.11}
              a2: {host: h2, ip: 10.2.0.11, port: 3307}
            groups:
              g1:
                writer: 10.9.0.1
                members:
                  - {instance: a1, promotion: prefer}
                  - a2
            """;

    @Test
    void readsAValidFile() {
        Topology t = TopologyFile.parse(FILE, VALID);
        assertThat(t.zones()).containsOnlyKeys("z1", "z2");
        assertThat(t.instance("a2").port()).isEqualTo(3307);
        assertThat(t.instance("a1").port()).isEqualTo(3306);
        assertThat(t.group("g1").members()).extracting(Topology.Member::promotion).containsExactly(PromotionRule.PREFER, PromotionRule.NEUTRAL);
        assertThat(t.credentials().admin().optionFile()).isEqualTo(Path.of("/etc/shardkit/creds.cnf"));
        assertThat(t.credentials().replication().envVar()).isEqualTo("REPL_PW");
        assertThat(t.zoneOf("a2")).isEqualTo("z2");
    }

    @Test
    void writerRoundTrips() {
        Topology t = TopologyFile.parse(FILE, VALID);
        Topology again = TopologyFile.parse(FILE, TopologyWriter.toYaml(t));
        assertThat(again.instances()).isEqualTo(t.instances());
        assertThat(again.groups()).isEqualTo(t.groups());
        assertThat(again.credentials()).isEqualTo(t.credentials());
    }

    @Test
    void hostAccessIsReadAndWrittenBack() {
        String yaml = VALID.replace("h2: {zone: z2, address: 10.2.0.1}", "h2: {zone: z2, address: 10.2.0.1, exec: [ssh, root@10.2.0.1], interface: bond0, prefix: 16}");
        Topology t = TopologyFile.parse(FILE, yaml);
        assertThat(t.hosts().get("h1").access()).isNull();
        assertThat(t.hosts().get("h2").access()).isEqualTo(new Topology.HostAccess(java.util.List.of("ssh", "root@10.2.0.1"), "bond0", 16));
        assertThat(TopologyFile.parse(FILE, TopologyWriter.toYaml(t)).hosts()).isEqualTo(t.hosts());
    }

    @Test
    void hostAccessNeedsAnExecListAndAPrefixLength() {
        assertProblem(VALID.replace("h2: {zone: z2, address: 10.2.0.1}", "h2: {zone: z2, address: 10.2.0.1, interface: eth0}"), 7, "'exec' must be a non-empty list");
        assertProblem(VALID.replace("h2: {zone: z2, address: 10.2.0.1}", "h2: {zone: z2, address: 10.2.0.1, exec: [ssh, x], prefix: 40}"), 7, "prefix '40' is not a prefix length");
    }

    private static void assertProblem(String yaml, int line, String fragment) {
        assertThatThrownBy(() -> TopologyFile.parse(FILE, yaml))
                .isInstanceOf(TopologyException.class)
                .satisfies(e -> assertThat(((TopologyException) e).problems())
                        .haveAtLeastOne(new Condition<>(p -> p.line() == line && p.message().contains(fragment) && p.file().equals(FILE),
                                "problem at line " + line + " containing '" + fragment + "'")))
                .hasMessageContaining(FILE + ":" + line + ":");
    }

    @Test
    void badYamlNamesTheLine() {
        assertProblem(VALID.replace("  h2: {zone: z2, address: 10.2.0.1}", "  h2: {zone: z2, address: [10.2.0.1}"), 7, "not valid YAML");
    }

    @Test
    void unknownHost() {
        assertProblem(VALID.replace("a2: {host: h2,", "a2: {host: h9,"), 10, "unknown host 'h9'");
    }

    @Test
    void unknownZone() {
        assertProblem(VALID.replace("h2: {zone: z2", "h2: {zone: z7"), 7, "unknown zone 'z7'");
    }

    @Test
    void duplicateIp() {
        assertProblem(VALID.replace("ip: 10.2.0.11", "ip: 10.1.0.11"), 10, "IP 10.1.0.11 is already used at line 9");
    }

    @Test
    void writerIpCollidingWithAnInstance() {
        assertProblem(VALID.replace("writer: 10.9.0.1", "writer: 10.2.0.11"), 13, "already used");
    }

    @Test
    void instanceInTwoGroups() {
        String yaml = VALID + """
                  g2:
                    members: [a1]
                """;
        assertProblem(yaml, 18, "instance a1 is in two groups: g1 and g2");
    }

    @Test
    void missingCredentials() {
        String yaml = VALID.substring(VALID.indexOf("zones:"));
        assertProblem(yaml, 1, "missing section 'credentials'");
    }

    @Test
    void credentialsWithoutAdmin() {
        assertProblem(VALID.replace("  admin: {user: shardkit_admin, option-file: creds.cnf, section: shardkit-admin}\n", ""), 1, "'admin' is missing");
    }

    @Test
    void passwordsAreRefused() {
        assertProblem(VALID.replace("env: REPL_PW", "password: hunter2"), 3, "passwords are not written in topology files");
    }

    @Test
    void unknownInstanceInGroup() {
        assertProblem(VALID.replace("  - a2", "  - a3"), 16, "unknown instance 'a3'");
    }

    @Test
    void badPromotionAndPort() {
        assertProblem(VALID.replace("promotion: prefer", "promotion: maybe"), 15, "not one of prefer");
        assertProblem(VALID.replace("port: 3307", "port: 99999"), 10, "port '99999'");
    }

    @Test
    void typoInASettingIsNamed() {
        assertProblem(VALID.replace("h1: {zone: z1, address:", "h1: {zone: z1, adress:"), 6, "unknown setting 'adress'");
    }

    @Test
    void reportsEveryProblemAtOnce() {
        String yaml = VALID.replace("a2: {host: h2,", "a2: {host: h9,").replace("h2: {zone: z2", "h2: {zone: z7");
        assertThatThrownBy(() -> TopologyFile.parse(FILE, yaml)).satisfies(e -> assertThat(((TopologyException) e).problems()).hasSize(2));
    }
}
