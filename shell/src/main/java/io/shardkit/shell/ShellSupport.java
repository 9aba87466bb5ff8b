package io.shardkit.shell;

import io.shardkit.catalog.Catalog;
import io.shardkit.sandbox.Sandbox;
import io.shardkit.topology.Topology;
import io.shardkit.topology.TopologyFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/**
 * Completes the names an operator types most: groups and instances from the topology (the one
 * given on the line with --topology/--sandbox, else $SHARDKIT_TOPOLOGY, else the only sandbox),
 * sandboxes from the home, plan and job ids and schedule names from the catalog. It sits in front
 * of picocli's completer, which knows commands and options but not these values.
 */
public final class ShellSupport implements Completer {
    private static final Set<String> GROUP_OPTIONS = Set.of("--group", "--from", "--into", "-g");
    private static final Set<String> INSTANCE_OPTIONS = Set.of("--instance", "--candidate", "--new-primary", "--to", "--host");
    /** Commands whose first positional is a plan/job id, or a schedule name. */
    private static final Set<String> TAKES_JOB = Set.of("start", "resume", "status", "verify", "cutover", "rollback", "pause", "throttle", "abort");
    private static final Set<String> TAKES_SCHEDULE = Set.of("show", "remove", "pause", "resume", "run-now", "history");

    private final Context ctx;
    private final Completer commands;

    private ShellSupport(Context ctx, Completer commands) {
        this.ctx = ctx;
        this.commands = commands;
    }

    /** picocli's completer for commands and options, with names in front of it. */
    public static Completer names(Context ctx, Completer commands) {
        return new ShellSupport(ctx, commands);
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        List<String> words = line.words().subList(0, line.wordIndex());
        String previous = words.isEmpty() ? "" : words.getLast();
        try {
            if (GROUP_OPTIONS.contains(previous)) {
                topology(words).groups().keySet().forEach(g -> candidates.add(new Candidate(g)));
                return;
            }
            if (INSTANCE_OPTIONS.contains(previous)) {
                Topology t = topology(words);
                t.groups().values().forEach(g -> g.instanceNames().forEach(i -> candidates.add(new Candidate(i, i, g.name(), null, null, null, true))));
                return;
            }
            if (previous.equals("--sandbox")) {
                Sandbox.list(ctx.home()).forEach(s -> candidates.add(new Candidate(s)));
                return;
            }
            if (words.size() >= 2 && !previous.startsWith("-")) {
                String area = words.get(words.size() - 2);
                String sub = words.getLast();
                if (area.equals("merge") && TAKES_JOB.contains(sub)) {
                    ids("SELECT plan_id FROM plans ORDER BY plan_id").forEach(id -> candidates.add(new Candidate(id)));
                    return;
                }
                if (area.equals("schedule") && TAKES_SCHEDULE.contains(sub)) {
                    ids("SELECT schedule_id FROM schedules ORDER BY schedule_id").forEach(id -> candidates.add(new Candidate(id)));
                    return;
                }
            }
        } catch (RuntimeException e) {
            // no topology or catalog to read names from: complete what picocli knows
        }
        commands.complete(reader, line, candidates);
    }

    private Topology topology(List<String> words) {
        for (int i = 0; i < words.size() - 1; i++) {
            if (words.get(i).equals("--topology") || words.get(i).equals("-t")) return TopologyFile.load(ctx.path(words.get(i + 1)));
            if (words.get(i).equals("--sandbox")) return TopologyFile.load(Sandbox.dirOf(ctx.home(), words.get(i + 1)).resolve(Sandbox.TOPOLOGY_FILE));
        }
        String env = ctx.env("SHARDKIT_TOPOLOGY");
        if (env != null) return TopologyFile.load(ctx.path(env));
        List<String> all = Sandbox.list(ctx.home());
        if (all.size() == 1) return TopologyFile.load(Sandbox.dirOf(ctx.home(), all.getFirst()).resolve(Sandbox.TOPOLOGY_FILE));
        throw new IllegalStateException("no single topology");
    }

    /** Ids from the catalog, only when one exists already (completion never creates one). */
    private List<String> ids(String sql) {
        if (!Files.exists(ctx.home().resolve("catalog.db"))) return List.of();
        try (Catalog c = ctx.openCatalog()) {
            return c.query(sql, rs -> {
                List<String> out = new ArrayList<>();
                while (rs.next()) out.add(rs.getString(1));
                return out;
            });
        }
    }

    /** Commands that change a fleet or a job's fate: the shell asks before running them. */
    public static boolean destructive(List<String> words) {
        if (words.size() < 2) return false;
        String area = words.get(0);
        String sub = words.get(1);
        return switch (area) {
            case "merge" -> Set.of("cutover", "rollback", "abort").contains(sub);
            case "failover" -> Set.of("promote", "switchover").contains(sub);
            case "sandbox" -> Set.of("down", "kill-host", "partition").contains(sub);
            case "schedule" -> sub.equals("remove");
            default -> false;
        };
    }

}
