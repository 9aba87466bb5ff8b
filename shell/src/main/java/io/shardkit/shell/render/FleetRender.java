package io.shardkit.shell.render;

import io.shardkit.topology.FleetView;
import io.shardkit.topology.GroupView;
import io.shardkit.topology.InstanceState;
import io.shardkit.topology.Topology;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders a {@link FleetView}: one table per group (like MySQL Shell's cluster.status()), or JSON. */
public final class FleetRender {
    private FleetRender() {}

    public static void print(PrintWriter out, FleetView view, String onlyGroup) {
        Topology t = view.topology();
        for (GroupView g : view.groups()) {
            if (onlyGroup != null && !onlyGroup.equals(g.group().name())) continue;
            out.println("group " + g.group().name() + "  primary " + g.primary().orElse("-") + "  writer " + (g.group().writerIp() == null ? "-" : g.group().writerIp())
                    + "  health " + g.health());
            Table table = new Table("INSTANCE", "HOST", "ZONE", "ADDRESS", "ROLE", "RO", "REPLICATION", "LAG", "BEHIND", "SEMI-SYNC", "GTID");
            for (Topology.Member m : g.group().members()) {
                InstanceState s = g.state(m.instance());
                Topology.Instance i = t.instance(m.instance());
                if (s == null || !s.reachable()) {
                    table.row(i.name(), i.host(), t.zoneOf(i.name()), i.endpoint(), "UNREACHABLE", "-", s == null ? "-" : s.error(), "-", "-", "-", "-");
                    continue;
                }
                table.row(i.name(), i.host(), t.zoneOf(i.name()), i.endpoint(), s.role(), s.superReadOnly() ? "super" : s.readOnly() ? "yes" : "no",
                        replication(s), s.replica() == null || s.replica().secondsBehind() == null ? "-" : s.replica().secondsBehind() + "s",
                        g.primary().map(p -> p.equals(i.name()) ? "-" : String.valueOf(g.gtidBehind(i.name()))).orElse("-"),
                        semiSync(s), s.gtidExecuted().isEmpty() ? "(empty)" : s.gtidExecuted().format());
            }
            table.print(out, "  ");
            out.println();
        }
        List<String> down = view.unreachable();
        out.println(view.states().size() + " instances, " + down.size() + " unreachable" + (down.isEmpty() ? "" : ": " + String.join(", ", down)));
        out.flush();
    }

    private static String semiSync(InstanceState s) {
        if (s.role() == InstanceState.Role.REPLICA && s.semiSync().available()) return s.semiSync().replicaEnabled() ? "replica" : "off";
        return s.semiSync().describe();
    }

    private static String replication(InstanceState s) {
        if (s.replica() == null) return "-";
        var r = s.replica();
        String state = r.healthy() ? "running" : "io=" + r.ioThread().name().toLowerCase() + " sql=" + r.sqlThread().name().toLowerCase();
        return "from " + r.sourceHost() + " " + state;
    }

    public static Object asJson(FleetView view, String onlyGroup) {
        List<Object> groups = new ArrayList<>();
        Topology t = view.topology();
        for (GroupView g : view.groups()) {
            if (onlyGroup != null && !onlyGroup.equals(g.group().name())) continue;
            Map<String, Object> gm = new LinkedHashMap<>();
            gm.put("group", g.group().name());
            gm.put("primary", g.primary().orElse(null));
            gm.put("writer", g.group().writerIp());
            gm.put("health", g.health().name());
            List<Object> members = new ArrayList<>();
            for (Topology.Member m : g.group().members()) {
                InstanceState s = g.state(m.instance());
                Topology.Instance i = t.instance(m.instance());
                Map<String, Object> mm = new LinkedHashMap<>();
                mm.put("instance", i.name());
                mm.put("host", i.host());
                mm.put("zone", t.zoneOf(i.name()));
                mm.put("address", i.endpoint().toString());
                mm.put("promotion", m.promotion().word());
                mm.put("reachable", s != null && s.reachable());
                if (s != null && s.reachable()) {
                    mm.put("role", s.role().name());
                    mm.put("version", s.version());
                    mm.put("flavor", s.flavor().name());
                    mm.put("serverId", s.serverId());
                    mm.put("readOnly", s.readOnly());
                    mm.put("superReadOnly", s.superReadOnly());
                    mm.put("gtidExecuted", s.gtidExecuted().format());
                    mm.put("gtidBehind", g.gtidBehind(i.name()));
                    mm.put("semiSync", semiSync(s));
                    if (s.replica() != null) {
                        Map<String, Object> r = new LinkedHashMap<>();
                        r.put("source", s.replica().sourceHost() + ":" + s.replica().sourcePort());
                        r.put("ioThread", s.replica().ioThread().name());
                        r.put("sqlThread", s.replica().sqlThread().name());
                        r.put("secondsBehind", s.replica().secondsBehind());
                        r.put("lastIoError", s.replica().lastIoError());
                        r.put("lastSqlError", s.replica().lastSqlError());
                        mm.put("replication", r);
                    }
                } else if (s != null) {
                    mm.put("error", s.error());
                }
                members.add(mm);
            }
            gm.put("members", members);
            groups.add(gm);
        }
        return Map.of("groups", groups, "unreachable", view.unreachable());
    }
}
