package io.shardkit.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a sandbox has created, saved to {@code sandbox.json} before each resource is made (intent
 * first), so {@code down} can remove everything even after the toolkit was killed mid-way.
 */
public final class SandboxState {

    /** The persisted form. */
    public record Data(String name, int slot, boolean netns, SandboxSpec spec, List<String> links, List<String> namespaces,
                       Map<String, Long> pids, String phase) {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private final String name;
    private final int slot;
    private final boolean netns;
    private final SandboxSpec spec;
    private final List<String> links = new ArrayList<>();
    private final List<String> namespaces = new ArrayList<>();
    private final Map<String, Long> pids = new LinkedHashMap<>();
    private String phase;

    SandboxState(Path file, SandboxSpec spec, int slot, boolean netns) {
        this.file = file;
        this.name = spec.name();
        this.spec = spec;
        this.slot = slot;
        this.netns = netns;
        this.phase = "creating";
    }

    static SandboxState load(Path file) {
        try {
            Data d = JSON.readValue(file.toFile(), Data.class);
            SandboxState s = new SandboxState(file, d.spec(), d.slot(), d.netns());
            s.links.addAll(d.links());
            s.namespaces.addAll(d.namespaces());
            s.pids.putAll(d.pids());
            s.phase = d.phase();
            return s;
        } catch (IOException e) {
            throw new SandboxException("cannot read sandbox state " + file + ": " + e.getMessage(), e);
        }
    }

    synchronized void save() {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            JSON.writeValue(tmp.toFile(), new Data(name, slot, netns, spec, List.copyOf(links), List.copyOf(namespaces), Map.copyOf(pids), phase));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new SandboxException("cannot write sandbox state " + file + ": " + e.getMessage(), e);
        }
    }

    synchronized void addLink(String link) { links.add(link); save(); }

    synchronized void addNamespace(String ns) { namespaces.add(ns); save(); }

    synchronized void setPid(String instance, long pid) { pids.put(instance, pid); save(); }

    synchronized void clearPid(String instance) { pids.remove(instance); save(); }

    synchronized void phase(String p) { phase = p; save(); }

    public synchronized String phase() { return phase; }

    public int slot() { return slot; }

    public boolean netns() { return netns; }

    public SandboxSpec spec() { return spec; }

    public synchronized List<String> links() { return List.copyOf(links); }

    public synchronized List<String> namespaces() { return List.copyOf(namespaces); }

    public synchronized Map<String, Long> pids() { return Map.copyOf(pids); }
}
