package io.shardkit.shell;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A shardkit command in a process of its own that outlives this one (a merge's stream while a
 * runbook goes on to its gates and cutover): this JVM and class path, a session of its own
 * (setsid), the caller's environment, output appended to a log. Returns once {@code started} holds.
 */
public final class Background {
    private Background() {}

    /** Starts {@code args}; returns its pid once {@code started} holds; fails naming the log when it exits first or stays silent. */
    public static long start(Context ctx, List<String> args, Path log, BooleanSupplier started, Duration wait) throws IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        List<String> cmd = new ArrayList<>();
        if (new File("/usr/bin/setsid").canExecute()) cmd.add("/usr/bin/setsid");
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        cmd.addAll(ctx.stateArgs());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(ctx.environment());
        pb.environment().put("SHARDKIT_NO_DAEMON", "1");
        Process p = pb.start();
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            if (started.getAsBoolean()) return p.pid();
            if (p.waitFor(200, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("'" + String.join(" ", args) + "' exited with " + p.exitValue() + " before it started; see " + log);
            }
        }
        throw new IllegalStateException("'" + String.join(" ", args) + "' did not start within " + wait.toSeconds() + " s (it still runs, pid " + p.pid() + "); see " + log);
    }
}
