package io.shardkit.it.bench;

import static io.shardkit.it.bench.Bench.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardkit.it.fixture.Fleet;
import io.shardkit.it.fixture.FleetShape;
import io.shardkit.sandbox.SandboxSpec;
import io.shardkit.topology.Topology;
import io.shardkit.topology.TopologyFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Failover benchmark on a MariaDB fleet of four groups of three over three hosts (one per zone),
 * watched by {@code shardkit failover monitor} in its own process. Kill-to-writable is what a client
 * writing every 20 ms through the group's writer IP sees: from the kill to its first acknowledged
 * write after it. Cases: kill -9 of a primary's mysqld (semi-sync group), -Dbench.failovers times
 * (default 10); the same on an async group whose replicas' IO threads were stopped first, so the
 * dead primary's binary log must be salvaged (half as many runs); a host carrying four primaries
 * killed, against the same host carrying one (-Dbench.hostKills, default 3); switchover under a
 * client writing every 2 ms (-Dbench.switchovers, default 5). MHA 0.58 on the same fleet and group,
 * in the same run, is the peer where it can run here ({@link MhaPeer}). Every case also checks that
 * every acknowledged write is on the new primary; the timings themselves are reported, not asserted.
 */
@Tag("bench")
@FleetShape(flavor = SandboxSpec.ServerFlavor.MARIADB, zones = 3, hostsPerZone = 1, groups = 4, replicas = 2)
class FailoverBenchmark {

    @Test
    void killToWritableBesideMha(Fleet f) throws Exception {
        int runs = Integer.getInteger("bench.failovers", 10);
        int hostKills = Integer.getInteger("bench.hostKills", 3);
        int switchovers = Integer.getInteger("bench.switchovers", 5);
        // g2 is async (salvage needs what no replica received, which semi-sync would never have acknowledged)
        Path file = asyncGroup(f, "g2");
        Topology t = TopologyFile.load(file);
        if (t.group("g2").failover().durability() != Topology.Durability.ASYNC) throw new IllegalStateException("could not make g2 async in " + file);
        List<FailoverRuns.Sample> kills = new ArrayList<>();
        List<FailoverRuns.Sample> salvage = new ArrayList<>();
        List<FailoverRuns.Sample> four = new ArrayList<>();
        List<FailoverRuns.Sample> one = new ArrayList<>();
        List<long[]> switches = new ArrayList<>();
        try (FailoverRuns fr = new FailoverRuns(f, file, t)) {
            for (int i = 0; i < runs; i++) kills.add(print("kill -9", fr.killPrimary("g1", false)));
            for (int i = 0; i < Math.max(3, runs / 2); i++) salvage.add(print("salvage", fr.killPrimary("g2", true)));
            String host = t.hosts().keySet().iterator().next();
            for (int i = 0; i < hostKills; i++) {
                for (String g : t.groups().keySet()) fr.primaryOn(g, memberOn(t, g, host));
                for (FailoverRuns.Sample s : fr.killHost(host)) four.add(print("host with 4 primaries", s));
                fr.primaryOn("g1", memberOn(t, "g1", host));
                for (String g : List.of("g2", "g3", "g4")) fr.primaryOn(g, memberNotOn(t, g, host));
                for (FailoverRuns.Sample s : fr.killHost(host)) one.add(print("host with 1 primary", s));
            }
            for (int i = 0; i < switchovers; i++) {
                long[] s = fr.switchover("g3");
                System.out.printf("switchover: reported block %d ms, client saw %d ms%n", s[0], s[1]);
                switches.add(s);
            }
        }
        List<Long> mha = new ArrayList<>();
        Optional<String> noMha;
        // MHA on g1 with shardkit's monitor stopped (two managers must not race), the same kill and client
        try (FailoverRuns repair = FailoverRuns.withoutMonitor(f, t)) {
            noMha = MhaPeers.killToWritable(f, "g1", Integer.getInteger("bench.mha.failovers", runs), mha, repair::rejoin);
        }
        report(kills, salvage, four, one, switches, mha, noMha);
    }

    /** The sandbox's topology file with {@code group} made async, written beside it. */
    @SuppressWarnings("unchecked")
    static Path asyncGroup(Fleet f, String group) throws Exception {
        var yaml = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
        Map<String, Object> root = yaml.readValue(f.sandbox().topologyFile().toFile(), LinkedHashMap.class);
        ((Map<String, Object>) ((Map<String, Object>) root.get("groups")).get(group)).put("durability", "async");
        Path out = f.sandbox().topologyFile().resolveSibling("topology-bench.yaml");
        yaml.writeValue(out.toFile(), root);
        return out;
    }

    static FailoverRuns.Sample print(String what, FailoverRuns.Sample s) {
        System.out.printf("%s %s: writable after %d ms (detect %d, confirm %d, %s)%n", what, s.group(), s.killToWritableMillis(), s.detectMillis(), s.confirmMillis(), s.steps());
        return s;
    }

    static String memberOn(Topology t, String group, String host) {
        return t.group(group).instanceNames().stream().filter(m -> t.hostOf(m).name().equals(host)).findFirst().orElseThrow();
    }

    static String memberNotOn(Topology t, String group, String host) {
        return t.group(group).instanceNames().stream().filter(m -> !t.hostOf(m).name().equals(host)).sorted().findFirst().orElseThrow();
    }

    static long percentile(List<Long> values, double p) {
        List<Long> s = values.stream().sorted().toList();
        if (s.isEmpty()) return -1;
        return s.get(Math.min(s.size() - 1, (int) Math.ceil(p * s.size()) - 1));
    }

    static List<Long> of(List<FailoverRuns.Sample> samples, ToLongFunction<FailoverRuns.Sample> what) {
        return samples.stream().map(what::applyAsLong).toList();
    }

    static long step(FailoverRuns.Sample s, String name) {
        return s.steps().getOrDefault(name, 0L);
    }

    private static final List<String> STEPS = List.of("lock", "fence", "elect", "catch-up", "salvage", "promote", "endpoint", "repoint");

    static void report(List<FailoverRuns.Sample> kills, List<FailoverRuns.Sample> salvage, List<FailoverRuns.Sample> four, List<FailoverRuns.Sample> one,
                       List<long[]> switches, List<Long> mha, Optional<String> noMha) throws Exception {
        StringBuilder md = new StringBuilder("### failover: kill to writable through the writer IP (client writing every 20 ms), MariaDB 10.11, semi-sync unless noted\n\n");
        md.append("| case | runs | median ms | p95 ms | goal | detect (median) | confirm | ").append(String.join(" | ", STEPS)).append(" |\n|---|---|---|---|---|---|---|")
                .append("---|".repeat(STEPS.size())).append('\n');
        row(md, "kill -9 of a primary", kills, "median ≤ 2000, p95 ≤ 3000");
        row(md, "kill -9, replicas' IO threads stopped (async group: salvage)", salvage, "≤ 4000");
        row(md, "host with 4 primaries killed (each group)", four, "≤ 1.2x one");
        row(md, "same host with 1 primary killed", one, "");
        long m4 = percentile(of(four, FailoverRuns.Sample::killToWritableMillis), 0.5);
        long m1 = percentile(of(one, FailoverRuns.Sample::killToWritableMillis), 0.5);
        long worst4 = four.stream().mapToLong(FailoverRuns.Sample::killToWritableMillis).max().orElse(-1);
        md.append(String.format("%n4 primaries vs 1: median %d ms vs %d ms = **%.2fx** (the slowest of the four groups: %d ms)%n", m4, m1, m1 > 0 ? (double) m4 / m1 : 0, worst4));
        List<Long> reported = switches.stream().map(x -> x[0]).toList();
        List<Long> seen = switches.stream().map(x -> x[1]).toList();
        md.append(String.format("%nswitchover under a client writing every 2 ms, %d runs: write block reported median %d ms (max %d), longest gap the client saw median %d ms (max %d); goal ≤ 300 ms%n",
                switches.size(), percentile(reported, 0.5), percentile(reported, 1.0), percentile(seen, 0.5), percentile(seen, 1.0)));
        long ours = percentile(of(kills, FailoverRuns.Sample::killToWritableMillis), 0.5);
        if (mha.isEmpty()) {
            md.append("\nMHA 0.58: not measured here: ").append(noMha.orElse("no run")).append('\n');
        } else {
            long theirs = percentile(mha, 0.5);
            md.append(String.format("%nMHA 0.58 (ping_interval=1) on the same fleet and group, %d runs: median %d ms, p95 %d ms; shardkit's median is **%.2fx** MHA's time (%s)%n",
                    mha.size(), theirs, percentile(mha, 0.95), theirs > 0 ? (double) ours / theirs : 0, mha));
            noMha.ifPresent(why -> md.append("MHA's runs stopped early: ").append(why).append('\n'));
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("killPrimary", kills);
        json.put("salvage", salvage);
        json.put("hostWith4Primaries", four);
        json.put("hostWith1Primary", one);
        json.put("switchoverReportedAndSeenMillis", switches);
        json.put("mhaKillToWritableMillis", mha);
        noMha.ifPresent(why -> json.put("mhaNotMeasured", why));
        Files.writeString(dir().resolve("failover.md"), md.toString());
        Files.writeString(dir().resolve("failover.json"), new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
        System.out.println("\nfailover benchmark:\n" + md);
    }

    private static void row(StringBuilder md, String name, List<FailoverRuns.Sample> s, String goal) {
        List<Long> w = of(s, FailoverRuns.Sample::killToWritableMillis);
        md.append(String.format("| %s | %d | %d | %d | %s | %d | %d |", name, s.size(), percentile(w, 0.5), percentile(w, 0.95), goal,
                percentile(of(s, FailoverRuns.Sample::detectMillis), 0.5), percentile(of(s, FailoverRuns.Sample::confirmMillis), 0.5)));
        for (String st : STEPS) md.append(' ').append(percentile(of(s, x -> step(x, st)), 0.5)).append(" |");
        md.append('\n');
    }
}
