package io.shardkit.shell.commands;

import io.shardkit.mysql.Credential;
import io.shardkit.sandbox.Sandbox;
import io.shardkit.shell.Context;
import io.shardkit.topology.Topology;
import io.shardkit.topology.TopologyFile;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** Which topology a command acts on: a file, a sandbox by name, $SHARDKIT_TOPOLOGY, or the only sandbox. */
public final class TopologyOptions {
    @Option(names = {"-t", "--topology"}, description = "Topology YAML file.")
    Path file;

    @Option(names = "--sandbox", description = "Use the topology of this sandbox.")
    String sandbox;

    Topology load(Context ctx) {
        return TopologyFile.load(path(ctx));
    }

    Path path(Context ctx) {
        if (file != null) return file;
        if (sandbox != null) return Sandbox.dirOf(ctx.home(), sandbox).resolve(Sandbox.TOPOLOGY_FILE);
        String env = ctx.env("SHARDKIT_TOPOLOGY");
        if (env != null) return ctx.path(env);
        List<String> all = Sandbox.list(ctx.home());
        if (all.size() == 1) return Sandbox.dirOf(ctx.home(), all.getFirst()).resolve(Sandbox.TOPOLOGY_FILE);
        throw new IllegalArgumentException(all.isEmpty()
                ? "no topology given: use --topology FILE (or start a sandbox)"
                : "several sandboxes exist " + all + ": pick one with --sandbox NAME or give --topology FILE");
    }

    static Credential admin(Context ctx, Topology t) {
        if (t.credentials().admin() == null) throw new IllegalArgumentException(t.source() + ": no admin credentials");
        return ctx.resolve(t.credentials().admin());
    }
}
