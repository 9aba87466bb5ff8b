package io.shardkit.it.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.it.fixture.ItPaths;
import io.shardkit.sandbox.InstanceStatus;
import io.shardkit.sandbox.Sandbox;
import io.shardkit.sandbox.SandboxSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** After 'down' nothing of the sandbox is left: no process, namespace, link, address or file. */
class SandboxLifecycleIT {

    static List<String> lines(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(30, TimeUnit.SECONDS);
        return out.lines().toList();
    }

    @Test
    void downFromAFreshProcessViewRemovesEverything() throws Exception {
        Path home = Files.createDirectories(ItPaths.root()).resolve("lifecycle");
        SandboxSpec spec = new SandboxSpec("lifecycle", SandboxSpec.ServerFlavor.MARIADB, SandboxSpec.Isolation.AUTO, 2, 1, 2, 1);
        if (Files.exists(Sandbox.dirOf(home, "lifecycle").resolve(Sandbox.STATE_FILE))) Sandbox.open(home, "lifecycle").down();
        Sandbox up = Sandbox.up(spec, home, System.out::println);
        List<Long> pids = up.status().stream().map(InstanceStatus::pid).toList();
        assertThat(up.status()).allMatch(InstanceStatus::running).hasSize(4);
        int slot = up.layout().slot();
        String prefix = "sk" + slot;
        if (up.netns()) {
            assertThat(lines("ip", "netns", "list")).anyMatch(l -> l.startsWith(prefix + "-"));
            assertThat(lines("ip", "-o", "addr", "show")).anyMatch(l -> l.contains(up.layout().managerAddress() + "/"));
        }

        // as after a crash of the toolkit: nothing in memory, only the state file on disk
        Sandbox.open(home, "lifecycle").down();

        for (Long pid : pids) assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid %d", pid).isFalse();
        assertThat(lines("ip", "netns", "list")).noneMatch(l -> l.startsWith(prefix + "-"));
        assertThat(lines("ip", "-o", "link", "show")).noneMatch(l -> l.matches("^\\d+: " + prefix + "[a-z].*"));
        assertThat(lines("ip", "-o", "addr", "show")).noneMatch(l -> l.contains(" 198.18." + (32 * slot) + "."));
        assertThat(lines("pgrep", "-af", "sandboxes/lifecycle")).isEmpty();
        assertThat(Sandbox.dirOf(home, "lifecycle")).doesNotExist();
        assertThat(Sandbox.list(home)).doesNotContain("lifecycle");
    }
}
