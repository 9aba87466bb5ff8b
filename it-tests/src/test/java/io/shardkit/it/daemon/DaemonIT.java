package io.shardkit.it.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.it.fixture.Fleet;
import io.shardkit.it.fixture.FleetShape;
import io.shardkit.it.fixture.ItPaths;
import io.shardkit.it.fixture.Pty;
import io.shardkit.mysql.Queries;
import io.shardkit.sandbox.Sandbox;
import io.shardkit.sandbox.SandboxSpec;
import io.shardkit.shell.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon through the real launcher on a real fleet: a forwarded command reads the client's
 * environment (a password the daemon itself holds wrongly) and resolves the client's relative
 * paths, prints what and where the same command prints when run in its own process, with the same
 * exit codes (clean, findings, bad input), and after 'daemon stop' commands run in their own
 * process again.
 */
@FleetShape(flavor = SandboxSpec.ServerFlavor.MARIADB, zones = 1, hostsPerZone = 2, groups = 3, replicas = 0)
class DaemonIT {
    static final String PW_VAR = "SK_DAEMON_IT_ADMIN_PW";

    record Run(int exit, String out, String err) {}

    @Test
    void forwardedCommandsBehaveAsTheirOwnProcessAndStartWarm(Fleet f, @TempDir Path work) throws Exception {
        for (String g : List.of("g1", "g2")) {
            try (Connection c = f.connect(primary(f, g))) {
                Queries.execute(c, "CREATE DATABASE dm");
                Queries.execute(c, "CREATE TABLE dm.items (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL)");
                Queries.execute(c, "INSERT INTO dm.items SELECT seq, CONCAT('" + g + "-', seq) FROM dm.seq_1_to_2000");
            }
        }
        assertThat(inProcess(f, "merge", "plan", "--from", "g1,g2", "--into", "g3", "--database", "dm", "--keys", "offset", "--id", "dm1")).isZero();
        assertThat(inProcess(f, "merge", "start", "dm1", "--until-caught-up")).isZero();

        // the operator's topology: the admin password from an environment variable, next to the working directory
        Path topo = Sandbox.dirOf(f.home(), f.name()).resolve(Sandbox.TOPOLOGY_FILE);
        String yaml = Files.readString(topo);
        String admin = yaml.substring(yaml.indexOf("  admin:"), yaml.indexOf("  replication:"));
        Files.writeString(work.resolve("fleet.yaml"), yaml.replace(admin, "  admin: {user: " + f.admin().user() + ", env: " + PW_VAR + "}\n"));
        Map<String, String> clientEnv = Map.of(PW_VAR, f.admin().password().reveal());

        Path home = f.home();
        // the daemon holds a wrong password under the same name: only the client's environment can make the commands work
        Run started = launcher(work, Map.of(PW_VAR, "not-the-password"), "daemon", "start", "--home", home.toString());
        try {
            assertThat(started.exit()).as(started.toString()).isZero();
            assertThat(started.out()).startsWith("started: daemon pid ");

            Run clean = launcher(work, clientEnv, "merge", "verify", "dm1", "--full", "--topology", "fleet.yaml", "--home", home.toString());
            assertThat(clean.exit()).as(clean.toString()).isZero();
            assertThat(clean.out()).contains("verify dm1: clean");
            assertThat(served(work, home)).isEqualTo(1); // it went through the daemon

            // a streaming command keeps its own process and shares the catalog the daemon holds open
            try (Connection c = f.connect(primary(f, "g1"))) {
                Queries.execute(c, "INSERT INTO dm.items VALUES (2001, 'late')");
            }
            Run resumed = launcher(work, clientEnv, "merge", "resume", "dm1", "--until-caught-up", "--topology", "fleet.yaml", "--home", home.toString());
            assertThat(resumed.exit()).as(resumed.toString()).isZero();
            assertThat(served(work, home)).isEqualTo(1);
            Run status = launcher(work, clientEnv, "merge", "status", "dm1", "--topology", "fleet.yaml", "--home", home.toString());
            assertThat(status.out()).as(status.toString()).contains("merge dm1: STREAMING");
            assertThat(served(work, home)).isEqualTo(2);

            try (Connection c = f.connect(primary(f, "g3"))) {
                assertThat(Queries.string(c, "SELECT COUNT(*) FROM dm.items")).isEqualTo("4001"); // the resumed stream's row
                Queries.execute(c, "DELETE FROM dm.items WHERE id = 1234");
            }
            Run viaDaemon = launcher(work, clientEnv, "merge", "verify", "dm1", "--full", "--topology", "fleet.yaml", "--home", home.toString());
            Map<String, String> local = new HashMap<>(clientEnv);
            local.put("SHARDKIT_NO_DAEMON", "1");
            Run ownProcess = launcher(work, local, "merge", "verify", "dm1", "--full", "--topology", "fleet.yaml", "--home", home.toString());
            assertThat(served(work, home)).isEqualTo(3);
            assertThat(viaDaemon.exit()).isEqualTo(ownProcess.exit()).isEqualTo(4);
            assertThat(findings(viaDaemon.out())).isNotEmpty().isEqualTo(findings(ownProcess.out()));
            assertThat(viaDaemon.out()).contains("1234");
            assertThat(viaDaemon.err()).isEqualTo(ownProcess.err());

            // bad input: the same error on stderr, the same code, nothing on stdout
            Run bad = launcher(work, clientEnv, "merge", "verify", "no-such-plan", "--topology", "fleet.yaml", "--home", home.toString());
            Run badHere = launcher(work, local, "merge", "verify", "no-such-plan", "--topology", "fleet.yaml", "--home", home.toString());
            assertThat(bad.exit()).isEqualTo(badHere.exit()).isNotZero();
            assertThat(bad.err()).isEqualTo(badHere.err()).contains("no-such-plan");
            assertThat(bad.out()).isEqualTo(badHere.out());
            assertThat(served(work, home)).isEqualTo(4);
        } finally {
            Run stopped = launcher(work, Map.of(), "daemon", "stop", "--home", home.toString());
            assertThat(stopped.out()).as(stopped.toString()).contains("stopping");
        }
        Run gone = launcher(work, Map.of(), "daemon", "status", "--home", home.toString());
        assertThat(gone.exit()).isNotZero();
        Run after = launcher(work, clientEnv, "merge", "status", "dm1", "--topology", "fleet.yaml", "--home", home.toString());
        assertThat(after.exit()).as(after.toString()).isZero();
        assertThat(after.out()).contains("merge dm1: STREAMING");
    }

    /**
     * An operator at a terminal (a pty): Tab completes group names from the topology, a command
     * runs, Ctrl-C cancels a running 'merge status --watch' and the prompt returns, and the history
     * survives a restart of the shell.
     */
    @Test
    void theShellAtATerminalCompletesRunsCancelsAndRemembers(Fleet f, @TempDir Path work) throws Exception {
        try (Connection c = f.connect(primary(f, "g1"))) {
            Queries.execute(c, "CREATE DATABASE pt");
            Queries.execute(c, "CREATE TABLE pt.items (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL)");
        }
        assertThat(inProcess(f, "merge", "plan", "--from", "g1", "--into", "g2", "--database", "pt", "--keys", "offset", "--id", "pty1")).isZero();
        Path topo = Sandbox.dirOf(f.home(), f.name()).resolve(Sandbox.TOPOLOGY_FILE);
        Map<String, String> env = Map.of("SHARDKIT_TOPOLOGY", topo.toString(), "SHARDKIT_NO_DAEMON", "1");
        List<String> shell = List.of(ItPaths.launcher().toString(), "shell", "--home", f.home().toString());
        Duration wait = Duration.ofSeconds(60);
        try (Pty t = Pty.start(work, env, shell)) {
            t.await("shardkit> ", wait);
            t.type("failover history --group g\t");
            t.await("g1", Duration.ofSeconds(20)); // the candidates, from the topology's groups
            t.await("g3", Duration.ofSeconds(5));
            t.type("\u0015"); // Ctrl-U: clear the line
            t.type("merge status pty1 --watch 1\r");
            t.await("merge pty1: ", wait);
            t.await("merge pty1: ", Duration.ofSeconds(20)); // refreshed
            t.type("\u0003"); // Ctrl-C
            t.await("cancelled", Duration.ofSeconds(20));
            t.await("shardkit> ", Duration.ofSeconds(20));
            t.type("catalog status\r");
            t.await("schema version: ", Duration.ofSeconds(30));
            t.await("shardkit> ", Duration.ofSeconds(10));
            // a long wait draws a progress bar at a terminal (pty1 never started: it never catches up)
            t.type("wait merge-caught-up pty1 --timeout 4s --every 1s\r");
            t.await("waiting: ", Duration.ofSeconds(20));
            t.await("] ", Duration.ofSeconds(20)); // the bar: wait merge caught up [####------] 25% 1/4 s (...)
            t.await("/4 s", Duration.ofSeconds(5));
            t.await("still not", Duration.ofSeconds(20));
            t.await("shardkit> ", Duration.ofSeconds(10));
            t.type("exit\r");
            assertThat(t.ended(Duration.ofSeconds(20))).isTrue();
        }
        try (Pty t = Pty.start(work, env, shell)) {
            t.await("shardkit> ", wait);
            t.type("\u0010"); // Ctrl-P (previous line, as the up arrow): 'exit'
            t.await("exit", Duration.ofSeconds(20));
            t.type("\u0010"); // and the command before it, from the first shell's history
            t.await("wait merge-caught-up pty1", Duration.ofSeconds(20));
            t.type("\u0015exit\r");
            assertThat(t.ended(Duration.ofSeconds(20))).isTrue();
        }
    }

    /** The lines naming differing rows (timings differ between runs; the findings must not). */
    static List<String> findings(String out) {
        return out.lines().filter(l -> l.contains("1234") || l.contains("missing") || l.contains("differ")).toList();
    }

    static long served(Path work, Path home) throws Exception {
        Run s = launcher(work, Map.of(), "daemon", "status", "--home", home.toString());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) commands served").matcher(s.out());
        assertThat(m.find()).as(s.toString()).isTrue();
        return Long.parseLong(m.group(1));
    }

    static Run launcher(Path cwd, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ItPaths.launcher().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().remove("SHARDKIT_TOPOLOGY");
        pb.environment().remove("SHARDKIT_HOME");
        pb.environment().putAll(env);
        Path out = Files.createTempFile(cwd, "out", ".txt");
        Path err = Files.createTempFile(cwd, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("shardkit %s finished", String.join(" ", args)).isTrue();
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    static int inProcess(Fleet f, String... args) {
        StringWriter out = new StringWriter();
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--home", f.home().toString())).toArray(String[]::new);
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(out, true), all);
        assertThat(code).as(out.toString()).isZero();
        return code;
    }

    static String primary(Fleet f, String g) {
        return f.discover().group(g).primary().orElseThrow();
    }
}
