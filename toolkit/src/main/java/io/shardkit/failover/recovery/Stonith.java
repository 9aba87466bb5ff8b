package io.shardkit.failover.recovery;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardkit.topology.Topology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The group's {@code stonith-hook} ("shoot the other node in the head"): run when neither the old
 * primary nor its host answers, to power the machine off through whatever the operator has (IPMI,
 * a cloud API). It gets a JSON document on stdin (event, recovery id, group, the old primary with
 * its host and zone) and exits 0 once the host is off. Once per host: a dead host is one event whose
 * groups recover in parallel, and they share the first run's outcome for a minute. A hook that
 * fails is journaled and the recovery goes on: nothing says the old primary still commits (a
 * semi-sync primary cannot acknowledge alone; an async one's loss is the README's async case).
 */
final class Stonith {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SHARED = Duration.ofMinutes(1);

    private record Shot(long atNanos, String recoveryId, CompletableFuture<String> outcome) {}

    private final Topology topology;
    private final Endpoints endpoints;
    private final Map<String, Shot> byHost = new ConcurrentHashMap<>();

    Stonith(Topology topology, Endpoints endpoints) {
        this.topology = topology;
        this.endpoints = endpoints;
    }

    /** What became of the old primary's host, for the journal; null when the group has no hook. */
    String shoot(String recoveryId, String group, String oldPrimary) {
        Path hook = topology.group(group).failover().stonithHook();
        if (hook == null) return null;
        String host = topology.hostOf(oldPrimary).name();
        CompletableFuture<String> mine = new CompletableFuture<>();
        Shot shot = byHost.compute(host, (h, earlier) -> earlier != null && System.nanoTime() - earlier.atNanos() < SHARED.toNanos()
                ? earlier : new Shot(System.nanoTime(), recoveryId, mine));
        if (shot.outcome() != mine) return shot.outcome().join() + " (run once for the host, by recovery " + shot.recoveryId() + ")";
        try {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("event", "stonith");
            doc.put("recovery_id", recoveryId);
            doc.put("group", group);
            doc.put("old_primary", endpoints.instance(oldPrimary));
            String out = Endpoints.runHook(hook, List.of(), JSON.writeValueAsString(doc));
            mine.complete("stonith-hook " + hook + " powered off host " + host + (out.isEmpty() ? "" : ": " + out));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            mine.complete("stonith-hook " + hook + " for host " + host + " was interrupted");
        } catch (Exception e) {
            mine.complete("stonith-hook " + hook + " failed for host " + host + " (" + e.getMessage() + "); going on: nothing says " + oldPrimary + " still commits");
        }
        return mine.join();
    }
}
