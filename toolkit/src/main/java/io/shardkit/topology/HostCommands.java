package io.shardkit.topology;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command on a host through its {@code exec} prefix (ssh, or {@code ip netns exec} in a
 * sandbox), with a deadline: failover asks hosts whether they answer at all, probes a primary from
 * another zone's network, and stops a mysqld that no longer answers SQL. A host without an
 * {@code exec} prefix cannot be asked.
 */
public final class HostCommands {
    private HostCommands() {}

    /** What a command did: its exit status (-1 when it was killed at the deadline) and its output, both streams together. */
    public record Result(int exit, String output) {
        public boolean ok() { return exit == 0; }

        public boolean timedOut() { return exit == -1; }
    }

    public static boolean reachable(Topology.Host host) {
        return host.access() != null && !host.access().exec().isEmpty();
    }

    /** Runs {@code command} on {@code host}; never waits past {@code deadline}. */
    public static Result run(Topology.Host host, List<String> command, Duration deadline) throws IOException, InterruptedException {
        if (!reachable(host)) throw new IOException("host " + host.name() + " has no exec access in the topology");
        List<String> cmd = new ArrayList<>(host.access().exec());
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        if (!p.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            return new Result(-1, "");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** Runs {@code command} on {@code host} and returns its standard output as bytes (a file read through {@code cat}); throws when it fails. */
    public static byte[] read(Topology.Host host, List<String> command, Duration deadline) throws IOException, InterruptedException {
        if (!reachable(host)) throw new IOException("host " + host.name() + " has no exec access in the topology");
        List<String> cmd = new ArrayList<>(host.access().exec());
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        // read while it runs: a pipe holds only so much before the command blocks. A thread of its own, not
        // the common pool: on a two-core host that pool has one worker, and a busy one left this read unstarted
        java.util.concurrent.CompletableFuture<byte[]> out = new java.util.concurrent.CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                out.complete(p.getInputStream().readAllBytes());
            } catch (IOException | RuntimeException e) {
                out.completeExceptionally(e);
            }
        }, "host-read-" + host.name());
        reader.setDaemon(true);
        reader.start();
        if (!p.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException("on host " + host.name() + ": '" + String.join(" ", command) + "' did not finish within " + deadline.toSeconds() + " s");
        }
        if (p.exitValue() != 0) throw new IOException("on host " + host.name() + ": '" + String.join(" ", command) + "' exited " + p.exitValue());
        try {
            return out.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException("on host " + host.name() + ": the output of '" + String.join(" ", command) + "' was not read within " + deadline.toSeconds() + " s", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("on host " + host.name() + ": reading the output of '" + String.join(" ", command) + "' failed: " + e.getCause(), e);
        }
    }
}
