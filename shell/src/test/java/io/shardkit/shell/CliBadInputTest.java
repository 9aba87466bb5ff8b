package io.shardkit.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input: a clear error naming what and where, a non-zero exit, nothing done. */
class CliBadInputTest {

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    static final String GOOD = """
            credentials:
              admin: {user: shardkit_admin, env: SHARDKIT_TEST_NO_SUCH_PW}
            zones: [z1, z2]
            hosts:
              h1: {zone: z1, address: 127.99.1.1}
              h2: {zone: z2, address: 127.99.2.1}
            instances:
              a: {host: h1, ip: 127.99.1.11}
              b: {host: h2, ip: 127.99.2.11}
            groups:
              g1: {members: [a, b]}
            """;

    Run showWith(Path dir, String yaml) throws Exception {
        Path f = dir.resolve("fleet.yaml");
        Files.writeString(f, yaml);
        return run("topology", "show", "--topology", f.toString(), "--home", dir.toString());
    }

    @Test
    void badYaml(@TempDir Path dir) throws Exception {
        Run r = showWith(dir, GOOD.replace("zones: [z1, z2]", "zones: [z1, z2"));
        assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains(dir.resolve("fleet.yaml") + ":").contains("not valid YAML");
    }

    @Test
    void unknownHost(@TempDir Path dir) throws Exception {
        Run r = showWith(dir, GOOD.replace("b: {host: h2", "b: {host: h3"));
        assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains("fleet.yaml:9: instance b names unknown host 'h3'");
    }

    @Test
    void duplicateIp(@TempDir Path dir) throws Exception {
        Run r = showWith(dir, GOOD.replace("ip: 127.99.2.11", "ip: 127.99.1.11"));
        assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains("fleet.yaml:9: instance b: IP 127.99.1.11 is already used at line 8");
    }

    @Test
    void instanceInTwoGroups(@TempDir Path dir) throws Exception {
        Run r = showWith(dir, GOOD + "  g2: {members: [b]}\n");
        assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains("fleet.yaml:12: instance b is in two groups: g1 and g2");
    }

    @Test
    void missingCredentialsSection(@TempDir Path dir) throws Exception {
        Run r = showWith(dir, GOOD.substring(GOOD.indexOf("zones:")));
        assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains("fleet.yaml:1: missing section 'credentials'");
    }

    @Test
    void unresolvableCredentialNamesTheVariableNotAValue(@TempDir Path dir) throws Exception {
        Run r = showWith(dir, GOOD);
        assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains("environment variable SHARDKIT_TEST_NO_SUCH_PW is not set");
    }

    @Test
    void missingFile(@TempDir Path dir) {
        Run r = run("topology", "check", "--topology", dir.resolve("nope.yaml").toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains("nope.yaml").contains("cannot read topology file");
    }

    @Test
    void unknownCommandIsAUsageError() {
        Run r = run("topolgy", "show");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("topolgy");
    }

    @Test
    void sandboxShapeErrorsChangeNothing(@TempDir Path dir) {
        Run r = run("sandbox", "up", "--zones", "1", "--hosts-per-zone", "1", "--replicas", "2", "--home", dir.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains("needs 3 hosts");
        assertThat(dir.resolve("sandboxes")).doesNotExist();
    }

    @Test
    void sandboxListenForErrorsChangeNothing(@TempDir Path dir) {
        Run unknown = run("sandbox", "up", "--groups", "4", "--listen-for", "g9:g1", "--home", dir.toString());
        assertThat(unknown.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(unknown.err()).contains("--listen-for names group 'g9', but the fleet's groups are g1..g4");
        Run malformed = run("sandbox", "up", "--listen-for", "g5-g1", "--home", dir.toString());
        assertThat(malformed.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(malformed.err()).contains("--listen-for 'g5-g1' is not GROUP:GROUP[,GROUP...]");
        // g2's members share both hosts with g1's: one host would have two servers listening on g1's writer IP
        Run clash = run("sandbox", "up", "--zones", "1", "--hosts-per-zone", "2", "--groups", "2", "--replicas", "1", "--listen-for", "g2:g1", "--home", dir.toString());
        assertThat(clash.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(clash.err()).contains("would both listen on g1's writer IP");
        assertThat(dir.resolve("sandboxes")).doesNotExist();
    }

    @Test
    void mergeCommandsNameAMissingPlanOrAWrongStrategy(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("fleet.yaml");
        Files.writeString(f, GOOD);
        Run start = run("merge", "start", "nosuch", "--topology", f.toString(), "--home", dir.toString());
        assertThat(start.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(start.err()).contains("no merge plan 'nosuch'");
        Run pause = run("merge", "pause", "nosuch", "--home", dir.toString());
        assertThat(pause.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(pause.err()).contains("no merge plan 'nosuch'");
        Run keys = run("merge", "plan", "--from", "g1", "--into", "g2", "--database", "d", "--keys", "merge-somehow", "--topology", f.toString(), "--home", dir.toString());
        assertThat(keys.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(keys.err()).contains("--keys must be reject, offset or shard-column");
    }

    @Test
    void verifyChunkOptionsAreCheckedBeforeAnythingIsOpened(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("fleet.yaml");
        Files.writeString(f, GOOD);
        for (String[] bad : new String[][] {{"--chunk-time", "0"}, {"--chunk-time", "soon"}, {"--chunk-size", "5"}}) {
            Run r = run("merge", "verify", "m1", bad[0], bad[1], "--topology", f.toString(), "--home", dir.toString());
            assertThat(r.exit()).as(String.join(" ", bad)).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(r.err()).as(String.join(" ", bad)).contains(bad[0]);
        }
        assertThat(dir.resolve("catalog.db")).as("the embedded catalog").doesNotExist();
        assertThat(dir.resolve("catalog.mv.db")).as("nor an old one").doesNotExist();
    }

    @Test
    void daemonStartRefusesABadWaitAndAHomeTooLongForASocket(@TempDir Path dir) throws Exception {
        Path home = dir.resolve("h");
        Run r = run("daemon", "start", "--wait", "soon", "--home", home.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains("--wait 'soon'");
        assertThat(home).doesNotExist();
        Path deep = dir.resolve("x".repeat(60)).resolve("y".repeat(60));
        Run longHome = run("daemon", "start", "--home", deep.toString());
        assertThat(longHome.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(longHome.err()).contains("--home " + deep).contains("longer than a Unix socket allows");
        assertThat(deep).doesNotExist();
    }

    /** Failover commands: what names a group, an instance or a limit is checked before any server or catalog is touched. */
    @Test
    void failoverCommandsNameWhatIsWrong(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("fleet.yaml");
        String withWriter = GOOD.replace("  admin: {user: shardkit_admin, env: SHARDKIT_TEST_NO_SUCH_PW}",
                "  admin: {user: shardkit_admin, env: SHARDKIT_TEST_NO_SUCH_PW}\n  replication: {user: shardkit_repl, env: SHARDKIT_TEST_NO_SUCH_PW}");
        Files.writeString(f, withWriter);
        String[][] cases = {
                {"failover monitor --group nope", "--group nope: no such group"},
                {"failover monitor", "group g1 has no writer endpoint"},
                {"failover monitor --interval soon", "--interval"},
                {"failover promote nope --to a", "no group 'nope'"},
                {"failover promote g1 --to zz", "no instance 'zz' in group g1"},
                {"failover promote g1 --to a", "group g1 has no writer endpoint"},
                {"failover switchover g1 --max-block 0", "--max-block 0 must be positive"},
                {"failover switchover nope", "no group 'nope'"},
                {"failover rejoin zz", "no instance 'zz'"},
                {"failover ack nope", "no group 'nope'"},
        };
        for (String[] c : cases) {
            List<String> args = new java.util.ArrayList<>(List.of(c[0].split(" ")));
            args.addAll(List.of("--topology", f.toString(), "--home", dir.toString()));
            Run r = run(args.toArray(String[]::new));
            assertThat(r.exit()).as(c[0] + ": " + r.err()).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(r.err()).as(c[0]).contains(c[1]).doesNotContain("Exception").doesNotContain("\tat ");
        }
        Run history = run("failover", "history", "--limit", "0", "--home", dir.toString());
        assertThat(history.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(history.err()).contains("--limit 0 is not between 1 and 10000");
        assertThat(dir.resolve("catalog.db")).as("nothing opened: no catalog made").doesNotExist();
    }
}
