package io.shardkit.shell.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;

/**
 * A daemon's fleet duties as configured: its config file ({@code --config}, YAML) with the
 * command line's options over it. Every key is optional: a daemon without a topology monitors
 * nothing, without ZooKeeper it leads alone, without a metrics address it serves none.
 */
public record DaemonSettings(Path topology, String sandbox, String zk, String zkPath, String zkSession, String id, String metrics, String interval,
                             String maxLag) {
    private static final Set<String> KEYS = Set.of("topology", "sandbox", "zk", "zk-path", "zk-session", "id", "metrics", "interval", "max-lag");

    public static DaemonSettings read(Path file) {
        if (file == null) return new DaemonSettings(null, null, null, null, null, null, null, null, null);
        JsonNode n;
        try {
            n = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("--config " + file + ": " + e.getMessage().lines().findFirst().orElse("unreadable"));
        }
        if (n == null || !n.isObject()) throw new IllegalArgumentException("--config " + file + ": expected a YAML mapping of settings");
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) throw new IllegalArgumentException("--config " + file + ": unknown key '" + k + "' (known: " + String.join(", ", new java.util.TreeSet<>(KEYS)) + ")");
        }
        String topo = text(n, "topology");
        return new DaemonSettings(topo == null ? null : file.toAbsolutePath().getParent().resolve(topo), text(n, "sandbox"), text(n, "zk"), text(n, "zk-path"),
                text(n, "zk-session"), text(n, "id"), text(n, "metrics"), text(n, "interval"), text(n, "max-lag"));
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** These settings with every non-null argument in place of its key. */
    public DaemonSettings with(Path topology, String sandbox, String zk, String zkPath, String zkSession, String id, String metrics, String interval, String maxLag) {
        return new DaemonSettings(or(topology, this.topology), or(sandbox, this.sandbox), or(zk, this.zk), or(zkPath, this.zkPath), or(zkSession, this.zkSession),
                or(id, this.id), or(metrics, this.metrics), or(interval, this.interval), or(maxLag, this.maxLag));
    }

    private static <T> T or(T a, T b) {
        return a != null ? a : b;
    }
}
