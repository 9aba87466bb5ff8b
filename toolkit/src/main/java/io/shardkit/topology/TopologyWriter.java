package io.shardkit.topology;

import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardkit.mysql.CredentialRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes a topology in the format {@link TopologyFile} reads (references only: no secret is written). */
public final class TopologyWriter {
    private TopologyWriter() {}

    public static String toYaml(Topology t) {
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> creds = new LinkedHashMap<>();
        put(creds, "admin", t.credentials().admin());
        put(creds, "replication", t.credentials().replication());
        put(creds, "stream", t.credentials().stream());
        root.put("credentials", creds);
        root.put("zones", List.copyOf(t.zones().keySet()));
        Map<String, Object> hosts = new LinkedHashMap<>();
        t.hosts().values().forEach(h -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("zone", h.zone());
            m.put("address", h.address());
            if (h.access() != null) {
                m.put("exec", h.access().exec());
                m.put("interface", h.access().device());
                m.put("prefix", h.access().prefixLength());
            }
            hosts.put(h.name(), m);
        });
        root.put("hosts", hosts);
        Map<String, Object> instances = new LinkedHashMap<>();
        t.instances().values().forEach(i -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("host", i.host());
            m.put("ip", i.ip());
            m.put("port", i.port());
            instances.put(i.name(), m);
        });
        root.put("instances", instances);
        Map<String, Object> groups = new LinkedHashMap<>();
        t.groups().values().forEach(g -> {
            Map<String, Object> m = new LinkedHashMap<>();
            if (g.writerIp() != null) m.put("writer", g.writerIp());
            Topology.Failover fo = g.failover();
            if (fo.durability() != null) m.put("durability", fo.durability().word());
            if (fo.zonePolicy() != ZonePolicy.SAME_ZONE_PREFERRED) m.put("zone-policy", fo.zonePolicy().word());
            if (fo.mhaScript() != null) m.put("mha-script", fo.mhaScript().toString());
            if (fo.jsonHook() != null) m.put("json-hook", fo.jsonHook().toString());
            if (fo.crossZoneHook() != null) m.put("cross-zone-hook", fo.crossZoneHook().toString());
            if (fo.stonithHook() != null) m.put("stonith-hook", fo.stonithHook().toString());
            m.put("members", g.members().stream().map(mem -> {
                Map<String, Object> mm = new LinkedHashMap<>();
                mm.put("instance", mem.instance());
                mm.put("promotion", mem.promotion().word());
                return mm;
            }).toList());
            groups.put(g.name(), m);
        });
        root.put("groups", groups);
        try {
            ObjectMapper yaml = new ObjectMapper(new YAMLFactory()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
            return "# shardkit topology (written by the sandbox; edit freely)\n" + yaml.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void put(Map<String, Object> creds, String key, CredentialRef ref) {
        if (ref == null) return;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", ref.user());
        if (ref.envVar() != null) m.put("env", ref.envVar());
        else {
            m.put("option-file", ref.optionFile().toString());
            m.put("section", ref.section());
        }
        creds.put(key, m);
    }

    public static void write(Topology t, Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, toYaml(t));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
