package io.shardkit.shell.daemon;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Starts a daemon in the background: this JVM and class path, running {@code daemon run} for a state directory. */
public final class DaemonProcess {
    private DaemonProcess() {}

    /**
     * The running daemon's status line once it answers. Refuses (IllegalArgumentException) a
     * directory whose socket path would not fit; fails (IllegalStateException) when the process
     * exits or stays silent, pointing at its log.
     */
    public static String start(Path home, String mainClass, Duration wait, List<String> runOptions) throws IOException, InterruptedException {
        DaemonHome dh = new DaemonHome(home);
        if (!dh.socketPathFits()) {
            throw new IllegalArgumentException("--home " + home + ": the daemon's socket path " + dh.socket() + " is longer than a Unix socket allows ("
                    + DaemonHome.MAX_SOCKET_PATH + " bytes); use a shorter --home");
        }
        Optional<String> already = DaemonClient.control(home, false);
        if (already.isPresent()) return "already running: " + already.get();
        Files.createDirectories(home);
        Process p = new ProcessBuilder(command(home, mainClass, runOptions)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dh.log().toFile())).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<String> status = DaemonClient.control(home, false);
            if (status.isPresent()) return "started: " + status.get();
            if (p.waitFor(50, TimeUnit.MILLISECONDS) && DaemonClient.control(home, false).isEmpty()) {
                throw new IllegalStateException("the daemon exited with " + p.exitValue() + " before answering; see " + dh.log());
            }
        }
        p.destroy();
        throw new IllegalStateException("the daemon did not answer within " + wait.toMillis() + " ms; see " + dh.log());
    }

    /** In a session of its own (setsid), so closing the operator's terminal does not hang it up. */
    private static List<String> command(Path home, String mainClass, List<String> runOptions) {
        List<String> cmd = new ArrayList<>();
        if (new File("/usr/bin/setsid").canExecute()) cmd.add("/usr/bin/setsid");
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // the launcher's class-data archive directory and build (absent: no archive): a daemon writes its archive
        // when it stops, and the next one starts from it
        String cds = System.getenv("SHARDKIT_CDS_PREFIX");
        if (cds != null && !cds.isBlank()) {
            cmd.addAll(List.of("-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + cds + "-daemon-run.jsa", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        }
        // the launcher's short-command options: C1 only and a small heap leave the CPU and memory to the servers
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), mainClass, "daemon", "run", "--home", home.toString()));
        cmd.addAll(runOptions);
        return cmd;
    }
}
