package io.shardkit.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LintTest {

    static Topology parse(String groups) {
        return TopologyFile.parse(Path.of("t.yaml"), """
                credentials:
                  admin: {user: a, env: PW}
                zones: [z1, z2]
                hosts:
                  h1: {zone: z1, address: 10.0.1.1}
                  h2: {zone: z1, address: 10.0.1.2}
                  h3: {zone: z2, address: 10.0.2.1}
                instances:
                  a: {host: h1, ip: 10.0.1.11}
                  b: {host: h1, ip: 10.0.1.12}
                  c: {host: h2, ip: 10.0.1.21}
                  d: {host: h3, ip: 10.0.2.11}
                groups:
                """ + groups);
    }

    @Test
    void twoMembersOnOneHost() {
        Topology t = parse("  g: {members: [a, b, d]}\n");
        assertThat(Lint.staticFindings(t)).anySatisfy(f -> {
            assertThat(f.code()).isEqualTo("SAME_HOST");
            assertThat(f.message()).contains("a and b").contains("h1");
        });
    }

    @Test
    void candidatesInOneZone() {
        Topology t = parse("  g:\n    members: [a, c, {instance: d, promotion: must-not}]\n");
        assertThat(Lint.staticFindings(t)).extracting(Lint.Finding::code).containsExactly("CANDIDATES_ONE_ZONE");
        Lint.Readiness r = Lint.readiness(t).getFirst();
        assertThat(r.survivesHost()).isTrue();
        assertThat(r.survivesZone()).isFalse();
        assertThat(r.describe()).isEqualTo("survives losing: one host yes, one zone no");
    }

    @Test
    void spreadGroupSurvivesBoth() {
        Topology t = parse("  g: {members: [a, d]}\n");
        assertThat(Lint.staticFindings(t)).isEmpty();
        assertThat(Lint.readiness(t).getFirst().describe()).isEqualTo("survives losing: one host yes, one zone yes");
    }

    @Test
    void singleMemberSurvivesNothing() {
        Topology t = parse("  g: {members: [a]}\n");
        assertThat(Lint.readiness(t).getFirst().describe()).isEqualTo("survives losing: one host no, one zone no");
    }
}
