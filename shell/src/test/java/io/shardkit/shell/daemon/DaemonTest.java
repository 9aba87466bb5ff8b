package io.shardkit.shell.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon and its client over a real Unix socket, with a runner standing in for the command line. */
class DaemonTest {
    @TempDir Path home;
    private DaemonServer server;
    private Thread serving;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<String> ran = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            DaemonClient.control(home, true);
            serving.join(10_000);
            server.close();
        }
    }

    private void start(String stamp, DaemonServer.Runner runner) throws Exception {
        server = new DaemonServer(home, runner, stamp);
        serving = new Thread(server::serve);
        serving.start();
    }

    private OptionalInt forward(String stamp, Map<String, String> env, String... words) {
        String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("--home", home.toString()), java.util.Arrays.stream(words)).toArray(String[]::new);
        return DaemonClient.forward(args, env, Path.of("/work/somewhere"), stamp,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void aForwardedCommandRunsWithTheClientsArgumentsEnvironmentAndDirectoryAndReturnsItsOutputAndExitCode() throws Exception {
        start("b1", (o, e, env, cwd, args) -> {
            ran.add(String.join(" ", args) + " | " + env.get("SK_PW_VAR") + " | " + cwd);
            o.println("verify v1: clean");
            e.println("warning: something");
            return 4;
        });
        OptionalInt code = forward("b1", Map.of("SK_PW_VAR", "only-in-the-client"), "merge", "verify", "v1", "--full");
        assertThat(code).hasValue(4);
        assertThat(ran).containsExactly("--home " + home + " merge verify v1 --full | only-in-the-client | /work/somewhere");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("verify v1: clean\n");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("warning: something\n");
        assertThat(DaemonClient.control(home, false)).hasValueSatisfying(s -> assertThat(s).contains("1 commands served"));
    }

    @Test
    void longLivedAndProcessOwningCommandsAreNeverForwarded() throws Exception {
        start("b1", (o, e, env, cwd, args) -> { ran.add("ran"); return 0; });
        for (String[] words : List.of(new String[] {"merge", "start", "v1"}, new String[] {"merge", "cutover", "v1"}, new String[] {"sandbox", "up"},
                new String[] {"shell"}, new String[] {"run", "book.sk"}, new String[] {"daemon", "stop"})) {
            assertThat(forward("b1", Map.of(), words)).as(String.join(" ", words)).isEmpty();
        }
        assertThat(forward("b1", Map.of("SHARDKIT_NO_DAEMON", "1"), "merge", "verify", "v1")).isEmpty();
        assertThat(ran).isEmpty();
    }

    @Test
    void withoutADaemonOrWithADeadOnesSocketTheCommandRunsHere() throws Exception {
        assertThat(forward("b1", Map.of(), "merge", "verify", "v1")).isEmpty();
        Files.writeString(home.resolve("daemon.sock"), ""); // what a killed daemon leaves behind
        assertThat(forward("b1", Map.of(), "merge", "verify", "v1")).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        start("b1", (o, e, env, cwd, args) -> 0); // a new daemon replaces the dead one's socket
        assertThat(forward("b1", Map.of(), "merge", "verify", "v1")).hasValue(0);
    }

    @Test
    void aDaemonOfAnotherBuildRefusesAndTheCommandRunsHere() throws Exception {
        start("old", (o, e, env, cwd, args) -> { ran.add("ran"); return 0; });
        assertThat(forward("new", Map.of(), "merge", "status", "v1")).isEmpty();
        assertThat(ran).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("runs another build").contains("running this command here");
    }

    @Test
    void aClientThatGoesAwayInterruptsItsCommand() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        start("b1", (o, e, env, cwd, args) -> {
            started.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException ie) {
                interrupted.countDown();
            }
            return 1;
        });
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(home.resolve("daemon.sock")));
            DataOutputStream o = new DataOutputStream(Wire.out(ch));
            Wire.request(o, Wire.RUN, "b1");
            Wire.writeString(o, "/");
            o.writeInt(0);
            o.writeInt(2);
            Wire.writeString(o, "merge");
            Wire.writeString(o, "verify");
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        } // Ctrl-C: the client's end closes
        assertThat(interrupted.await(10, TimeUnit.SECONDS)).as("the command was interrupted").isTrue();
    }

    @Test
    void oneDaemonPerStateDirectory() throws Exception {
        start("b1", (o, e, env, cwd, args) -> 0);
        assertThatThrownBy(() -> new DaemonServer(home, (o, e, env, cwd, args) -> 0, "b1"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("a daemon already runs for " + home);
        assertThat(forward("b1", Map.of(), "catalog", "status")).hasValue(0); // the first one still serves
    }

    @Test
    void stopEndsServingAndRemovesTheSocket() throws Exception {
        start("b1", (o, e, env, cwd, args) -> 0);
        assertThat(DaemonClient.control(home, true)).hasValueSatisfying(s -> assertThat(s).contains("stopping"));
        serving.join(10_000);
        assertThat(serving.isAlive()).isFalse();
        server.close();
        server = null;
        assertThat(home.resolve("daemon.sock")).doesNotExist();
        assertThat(DaemonClient.control(home, false)).isEmpty();
    }

    @Test
    void aDaemonWhoseSocketFileIsGoneOrReplacedStopsAndLeavesTheNewOneAlone() throws Exception {
        start("b1", (o, e, env, cwd, args) -> 0);
        Path sock = home.resolve("daemon.sock");
        Files.delete(sock); // its --home removed under it, or another daemon's socket in its place
        Files.writeString(sock, "someone else's");
        serving.join(15_000);
        assertThat(serving.isAlive()).as("still serving an unreachable socket").isFalse();
        server.close();
        server = null;
        assertThat(sock).hasContent("someone else's");
    }

    @Test
    void theCommandWordsSkipOptionsAndRootOptionValues() {
        assertThat(DaemonHome.command(new String[] {"--home", "/x", "merge", "verify", "v1"})).isEqualTo("merge verify");
        assertThat(DaemonHome.command(new String[] {"--home=/x", "--catalog", "jdbc:mysql://h/db", "catalog", "status"})).isEqualTo("catalog status");
        assertThat(DaemonHome.command(new String[] {"merge", "--home", "/x", "status", "v1"})).isEqualTo("merge status");
        assertThat(DaemonHome.command(new String[] {"merge"})).isEqualTo("merge");
        assertThat(DaemonHome.of(new String[] {"merge", "status", "--home", "rel/h"}, Map.of("SHARDKIT_HOME", "/env"), Path.of("/cwd"))).isEqualTo(Path.of("/cwd/rel/h"));
        assertThat(DaemonHome.of(new String[] {"merge", "status"}, Map.of("SHARDKIT_HOME", "/env"), Path.of("/cwd"))).isEqualTo(Path.of("/env"));
    }
}
