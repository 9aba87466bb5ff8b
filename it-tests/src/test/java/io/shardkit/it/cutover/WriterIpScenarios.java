package io.shardkit.it.cutover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.shardkit.catalog.Catalog;
import io.shardkit.it.fixture.Fleet;
import io.shardkit.it.fixture.MergeRuns;
import io.shardkit.merge.JobState;
import io.shardkit.merge.JobStore;
import io.shardkit.merge.KeyStrategy;
import io.shardkit.merge.MergeControl;
import io.shardkit.merge.MergeJob;
import io.shardkit.merge.MergeRequest;
import io.shardkit.merge.Plan;
import io.shardkit.merge.PlanJson;
import io.shardkit.merge.Planner;
import io.shardkit.mysql.ConnectionSettings;
import io.shardkit.mysql.Connections;
import io.shardkit.mysql.Endpoint;
import io.shardkit.mysql.Queries;
import io.shardkit.shell.Main;
import io.shardkit.topology.Topology;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@code merge cutover --move-writer-ips}: four single-member shards on four hosts merge into a
 * fifth whose server listens on their writer IPs (sandbox --listen-for). A client that only knows
 * g1's writer IP reaches g1 before the cutover and the target after it; an endpoint hook that fails
 * after the move puts every address back; a target that does not listen on an address is refused
 * before anything freezes; {@code merge rollback --switch --move-writer-ips} sends every address
 * home with the target's new rows.
 */
abstract class WriterIpScenarios {
    static final List<String> SOURCES = List.of("g1", "g2", "g3", "g4");

    static int cli(Fleet f, StringWriter out, String... args) {
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--home", f.home().toString(), "--sandbox", f.name()))
                .toArray(String[]::new);
        return Main.run(new PrintWriter(out, true), new PrintWriter(out, true), all);
    }

    /**
     * server_id and read_only of whatever answers on this address (a fresh connection, as a client
     * would retry it for 5 s: a neighbour's ARP entry follows a move within about a second, not at
     * once; without the gratuitous ARP it takes ~30 s and this fails).
     */
    static List<Long> whoAnswers(Fleet f, String ip) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            try (Connection c = Connections.open(new Endpoint(ip, 3306), f.admin(), ConnectionSettings.PROBE)) {
                return List.of(Long.parseLong(Queries.string(c, "SELECT @@server_id")), Long.parseLong(Queries.string(c, "SELECT @@read_only")));
            } catch (java.sql.SQLException e) {
                if (System.nanoTime() > deadline) throw new AssertionError("nothing answers on " + ip + ":3306 within 5 s; " + network(f, ip), e);
            }
        }
    }

    /** Where the address is, as the failure message of {@link #whoAnswers}: the manager's neighbour entry and route, each host's hold and listeners. */
    static String network(Fleet f, String ip) {
        StringBuilder b = new StringBuilder();
        try {
            b.append("manager: ").append(sh(List.of("ip", "neigh", "show", ip))).append(" | ").append(sh(List.of("ip", "route", "get", ip)));
            for (Topology.Host h : f.topology().hosts().values()) {
                List<String> cmd = new java.util.ArrayList<>(h.access().exec());
                cmd.addAll(List.of("sh", "-c", "ip -o addr show | grep -F ' " + ip + "/' ; ss -Hltn src " + ip + ":3306"));
                String out = sh(cmd).strip();
                if (!out.isEmpty()) b.append("; ").append(h.name()).append(": ").append(out.replace('\n', ' '));
            }
        } catch (Exception e) {
            b.append("; (").append(e).append(")");
        }
        return b.toString();
    }

    private static String sh(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out.strip();
    }

    static long serverId(Fleet f, String instance) throws Exception {
        try (Connection c = f.connect(instance)) {
            return Long.parseLong(Queries.string(c, "SELECT @@server_id"));
        }
    }

    /** Whether the address is on this host's interface (its network namespace). */
    static boolean hostHolds(Fleet f, String host, String ip) throws Exception {
        Topology.Host h = f.topology().hosts().get(host);
        List<String> cmd = new java.util.ArrayList<>(h.access().exec());
        cmd.addAll(List.of("ip", "-o", "addr", "show", "dev", h.access().device()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).isZero();
        return out.contains(" " + ip + "/");
    }

    static String script(Fleet f, String name, String body) throws Exception {
        Path s = f.home().resolve(name);
        Files.writeString(s, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwx------"));
        return s.toString();
    }

    @Test
    void theSourcesWriterIpsFollowTheMergeAndGoBackWhenTheCutoverAborts(Fleet f) throws Exception {
        assumeTrue(f.netns(), "moving writer IPs between hosts needs network namespaces (run as root)");
        Topology t = f.topology();
        String targetInstance = t.group("g5").instanceNames().getFirst();
        long targetId = serverId(f, targetInstance);
        String targetHost = t.instance(targetInstance).host();
        for (String g : SOURCES) {
            try (Connection c = f.connect(t.group(g).instanceNames().getFirst())) {
                Queries.execute(c, "CREATE DATABASE wip");
                Queries.execute(c, "CREATE TABLE wip.items (id INT PRIMARY KEY, v VARCHAR(16) NOT NULL)");
                Queries.execute(c, "INSERT INTO wip.items VALUES " + String.join(", ", java.util.stream.IntStream.rangeClosed(1, 50).mapToObj(i -> "(" + i + ", '" + g + "')").toList()));
            }
        }
        // refused before the freeze: g4's server does not listen on g3's writer IP
        try (Connection c = f.connect("g3-1")) {
            Queries.execute(c, "CREATE DATABASE wip_no");
            Queries.execute(c, "CREATE TABLE wip_no.items (id INT PRIMARY KEY)");
            Queries.execute(c, "INSERT INTO wip_no.items VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), (10)");
        }
        try (Catalog catalog = Catalog.embedded(f.home())) {
            JobStore jobs = new JobStore(catalog);
            Plan refusedPlan = plan(f, catalog, "wip_no", List.of("g3"), "g4");
            Plan plan = plan(f, catalog, "wip", SOURCES, "g5");
            MergeControl refusedControl = new MergeControl();
            MergeControl control = new MergeControl();
            CompletableFuture<Void> refusedRun = MergeRuns.background(new MergeJob(refusedPlan, t, f.admin(), t.credentials().stream().resolve(), jobs, f.home(),
                    refusedControl, System.out::println), MergeJob.Until.STOPPED);
            CompletableFuture<Void> run = MergeRuns.background(new MergeJob(plan, t, f.admin(), t.credentials().stream().resolve(), jobs, f.home(),
                    control, System.out::println), MergeJob.Until.STOPPED);
            try {
                Fleet.await("both merges streaming", Duration.ofSeconds(120), () -> (jobs.state(plan.id()) == JobState.STREAMING || run.isDone())
                        && (jobs.state(refusedPlan.id()) == JobState.STREAMING || refusedRun.isDone()));
                StringWriter out = new StringWriter();
                assertThat(cli(f, out, "merge", "verify", refusedPlan.id())).as(out.toString()).isZero();
                assertThat(cli(f, out, "merge", "cutover", refusedPlan.id(), "--move-writer-ips")).as(out.toString()).isNotZero();
                assertThat(out.toString()).contains("refused, nothing changed", "g4-1 does not listen on " + t.group("g3").writerIp() + ":3306 (g3's writer IP)");
                assertThat(whoAnswers(f, t.group("g3").writerIp())).containsExactly(serverId(f, "g3-1"), 0L);
                assertThat(jobs.state(refusedPlan.id())).isEqualTo(JobState.STREAMING);

                // before: g1's writer IP is g1's primary, writable
                assertThat(whoAnswers(f, t.group("g1").writerIp())).containsExactly(serverId(f, "g1-1"), 0L);
                out = new StringWriter();
                assertThat(cli(f, out, "merge", "verify", plan.id())).as(out.toString()).isZero();

                // the hook fails after the addresses moved: they go back, the sources are writable again
                String failing = script(f, "failing-hook.sh", "cat > /dev/null\necho 'routing service down' >&2\nexit 3");
                out = new StringWriter();
                assertThat(cli(f, out, "merge", "cutover", plan.id(), "--move-writer-ips", "--hook", failing)).as(out.toString()).isNotZero();
                assertThat(out.toString()).contains("switch: writer IPs to " + targetHost, "abort: writer IPs back", "4 back on their hosts", "aborted");
                for (String g : SOURCES) {
                    String ip = t.group(g).writerIp();
                    assertThat(whoAnswers(f, ip)).as(g + "'s writer IP after the abort").containsExactly(serverId(f, g + "-1"), 0L);
                    assertThat(hostHolds(f, t.instance(g + "-1").host(), ip)).isTrue();
                    assertThat(hostHolds(f, targetHost, ip)).isFalse();
                }
                assertThat(jobs.state(plan.id())).isEqualTo(JobState.STREAMING);

                // a write through g1's writer IP while g1 still owns it reaches g1 and, streamed, the target
                try (Connection c = Connections.open(new Endpoint(t.group("g1").writerIp(), 3306), f.admin(), ConnectionSettings.ADMIN)) {
                    Queries.execute(c, "INSERT INTO wip.items VALUES (1001, 'before')");
                }
                out = new StringWriter();
                assertThat(cli(f, out, "merge", "verify", plan.id())).as(out.toString()).isZero();
                out = new StringWriter();
                assertThat(cli(f, out, "merge", "cutover", plan.id(), "--move-writer-ips")).as(out.toString()).isZero();
                assertThat(out.toString()).contains("switch: writer IPs to " + targetHost, "cutover " + plan.id() + ": done");

                // after: every source's writer IP is answered by the target, writable; the sources' hosts no longer hold them
                for (String g : SOURCES) {
                    String ip = t.group(g).writerIp();
                    assertThat(whoAnswers(f, ip)).as(g + "'s writer IP after the cutover").containsExactly(targetId, 0L);
                    assertThat(hostHolds(f, targetHost, ip)).isTrue();
                    assertThat(hostHolds(f, t.instance(g + "-1").host(), ip)).isFalse();
                }
                try (Connection c = Connections.open(new Endpoint(t.group("g1").writerIp(), 3306), f.admin(), ConnectionSettings.ADMIN)) {
                    assertThat(Queries.string(c, "SELECT v FROM wip.items WHERE id = 1001 AND _shard = 'g1'")).isEqualTo("before");
                    Queries.execute(c, "INSERT INTO wip.items (id, v, _shard) VALUES (1002, 'after', 'g1')");
                }
                try (Connection c = f.connect(targetInstance)) {
                    assertThat(Queries.string(c, "SELECT COUNT(*) FROM wip.items")).isEqualTo(String.valueOf(4 * 50 + 2));
                }

                // rollback: the reverse stream brings the target's new row to g1, and the switch back moves every address home
                StringWriter streamOut = new StringWriter();
                CompletableFuture<Integer> reverse = CompletableFuture.supplyAsync(() -> cli(f, streamOut, "merge", "rollback", plan.id()), MergeRuns.OWN_THREAD);
                Fleet.await("rollback stream caught up", Duration.ofSeconds(60), () -> reverse.isDone() || streamOut.toString().contains("rollback stream caught up"));
                assertThat(reverse.isDone()).as(streamOut.toString()).isFalse();
                out = new StringWriter();
                assertThat(cli(f, out, "merge", "rollback", plan.id(), "--switch", "--move-writer-ips")).as(out.toString()).isZero();
                assertThat(out.toString()).contains("switch: writer IPs back to the sources", "switched back");
                assertThat(reverse.get(60, java.util.concurrent.TimeUnit.SECONDS)).as(streamOut.toString()).isZero();
                for (String g : SOURCES) {
                    String ip = t.group(g).writerIp();
                    assertThat(whoAnswers(f, ip)).as(g + "'s writer IP after the switch back").containsExactly(serverId(f, g + "-1"), 0L);
                    assertThat(hostHolds(f, targetHost, ip)).isFalse();
                    assertThat(hostHolds(f, t.instance(g + "-1").host(), ip)).isTrue();
                }
                try (Connection c = Connections.open(new Endpoint(t.group("g1").writerIp(), 3306), f.admin(), ConnectionSettings.ADMIN)) {
                    assertThat(Queries.string(c, "SELECT v FROM wip.items WHERE id = 1002")).isEqualTo("after");
                }
            } finally {
                control.requestStop();
                refusedControl.requestStop();
                run.exceptionally(e -> null).get();
                refusedRun.exceptionally(e -> null).get();
            }
        }
    }

    static Plan plan(Fleet f, Catalog catalog, String db, List<String> sources, String target) throws Exception {
        Topology t = f.topology();
        Plan plan = new Planner(t, f.admin(), t.credentials().stream().resolve(), Clock.systemUTC())
                .plan(new MergeRequest(db, sources, target, db, List.of(), KeyStrategy.SHARD_COLUMN, List.of(), "_shard"));
        catalog.savePlan(plan.id(), "it", String.join(",", sources), target, PlanJson.write(plan));
        return plan;
    }
}
