package io.shardkit.it.bench;

import io.shardkit.it.fixture.AckCheck;
import io.shardkit.it.fixture.AckWriter;
import io.shardkit.it.fixture.Fleet;
import io.shardkit.it.fixture.MergeRuns;
import io.shardkit.mysql.Endpoint;
import io.shardkit.mysql.Queries;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * MHA 0.58 as the failover benchmark's peer: the same kill -9, client and measure as shardkit's
 * runs, on the same fleet and group, one {@link MhaPeer} per failover (MHA's manager exits after
 * one), the old primary rejoined between runs as for shardkit.
 */
final class MhaPeers {
    private MhaPeers() {}

    /**
     * Runs {@code runs} kill -9 failovers under MHA, adding each kill-to-writable to {@code out}; or
     * says why MHA cannot run here, or why its runs stopped early (a failover MHA gave up on).
     */
    static Optional<String> killToWritable(Fleet f, String group, int runs, List<Long> out, FailoverRuns.Repair repair) throws Exception {
        Optional<String> why = MhaPeer.unavailable(f);
        if (why.isPresent()) return why;
        int ping = Integer.getInteger("bench.mha.ping", 1);
        for (int run = 1; run <= runs; run++) {
            String old = Bench.primary(f, group);
            try (MhaPeer mha = new MhaPeer(f, group, Bench.dir().resolve("mha-bench"), ping)) {
                Endpoint writer = new Endpoint(f.topology().group(group).writerIp(), 3306);
                AckWriter w = new AckWriter("mha" + run, f.app(), () -> new AckWriter.Route("w", writer, "INSERT INTO fo.acks (tag) VALUES (?)"), 20_000_000L);
                CompletableFuture<Void> writing = CompletableFuture.runAsync(w, MergeRuns.OWN_THREAD);
                try {
                    Fleet.await("writes through " + group + "'s writer IP", Duration.ofSeconds(20), () -> w.acknowledged.size() > 10);
                    long killed = System.nanoTime();
                    f.sandbox().killInstance(old);
                    String promoted;
                    try {
                        promoted = mha.awaitFailover(Duration.ofMinutes(2));
                    } catch (IllegalStateException failed) {
                        // MHA gave up (seen: 'Generating relay diff files failed' after earlier runs): the runs so far stand
                        String first = String.valueOf(failed.getMessage()).lines().findFirst().orElse("");
                        System.out.println("MHA run " + run + " failed: " + failed.getMessage());
                        f.sandbox().startInstance(old);
                        return Optional.of("run " + run + " of " + runs + ": " + first);
                    }
                    Fleet.await("a write acknowledged after the kill (client errors: " + w.errors + ")", Duration.ofSeconds(60),
                            () -> w.backAfterOutage(killed) > 0);
                    long first = w.backAfterOutage(killed);
                    w.stop();
                    writing.get();
                    List<String> tags = new ArrayList<>();
                    try (Connection c = f.connect(promoted); var st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT tag FROM fo.acks")) {
                        while (rs.next()) tags.add(rs.getString(1));
                    }
                    List<String> lost = AckCheck.violations(List.of(w), AckCheck.count(tags));
                    if (!lost.isEmpty()) throw new AssertionError("MHA lost acknowledged writes: " + lost);
                    out.add((first - killed) / 1_000_000);
                    System.out.printf("MHA 0.58 (ping_interval %d) run %d: %s -> %s, writable after %d ms%n", ping, run, old, promoted, (first - killed) / 1_000_000);
                } finally {
                    w.stop();
                    writing.exceptionally(e -> null).get();
                }
            }
            repair.rejoin(old);
        }
        return Optional.empty();
    }
}
