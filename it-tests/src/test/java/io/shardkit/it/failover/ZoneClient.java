package io.shardkit.it.failover;

import io.shardkit.it.fixture.Fleet;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An application client living on a host (inside its network namespace), so a partition that cuts
 * the host's zone off cuts the client off with it, on the old primary's side. It writes unique rows
 * through the group's writer IP with the command-line client, one statement per process, each
 * bounded by {@code timeout -s KILL}: a write counts as acknowledged only when the client printed
 * "ack" after the server said OK. The writes are recorded with the wall clock of the ack.
 */
final class ZoneClient implements AutoCloseable {
    record Ack(String tag, long epochMillis) {}

    final List<Ack> acknowledged = new CopyOnWriteArrayList<>();
    private final Process process;
    private final Path dir;
    private final Thread reader;

    ZoneClient(Fleet f, String host, String writerIp, String table, String prefix) throws Exception {
        dir = Files.createTempDirectory("zone-client");
        Path cnf = dir.resolve("client.cnf");
        Files.createFile(cnf, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(cnf, "[client]\nuser=" + f.app().user() + "\npassword=" + f.app().password().reveal() + "\n");
        Path stop = dir.resolve("stop");
        String script = "i=0; while [ ! -e " + stop + " ]; do i=$((i+1)); "
                + "if timeout -s KILL 3 mariadb --defaults-extra-file=" + cnf + " --connect-timeout=2 -h " + writerIp + " -e \"INSERT INTO " + table
                + " (tag) VALUES ('" + prefix + "-$i')\" >/dev/null 2>" + dir.resolve("last-error") + "; then echo \"ack " + prefix + "-$i $(date +%s%3N)\"; fi; done";
        String ns = f.sandbox().layout().host(host).namespace();
        process = new ProcessBuilder("ip", "netns", "exec", ns, "sh", "-c", script).redirectErrorStream(true).start();
        process.getOutputStream().close();
        reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    String[] p = line.split(" ");
                    if (p.length == 3 && p[0].equals("ack")) acknowledged.add(new Ack(p[1], Long.parseLong(p[2])));
                }
            } catch (Exception ignored) {
                // the process ended
            }
        });
    }

    /** What the client said when its last write failed (for a failure message). */
    String lastError() {
        try {
            return Files.readString(dir.resolve("last-error")).strip();
        } catch (Exception e) {
            return "(nothing)";
        }
    }

    /** Stops after the statement in flight (at most its 3 s bound); waits for the loop to end. */
    void stop() throws Exception {
        Files.writeString(dir.resolve("stop"), "");
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
        reader.join(5000);
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) stop();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) Files.deleteIfExists(p);
        }
        Files.deleteIfExists(dir);
    }
}
