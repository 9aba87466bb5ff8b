package io.shardkit.topology;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * {@code topology check}: pure rules over the configured topology and a live {@link FleetView}.
 * Each finding has a stable code so scripts can match on it.
 */
public final class Lint {

    public enum Severity { ERROR, WARNING }

    /** One finding; {@code subject} is a group or instance name. */
    public record Finding(Severity severity, String code, String subject, String message) {}

    /** Static stability of one group: can it still have a primary after losing any one host / zone. */
    public record Readiness(String group, boolean survivesHost, boolean survivesZone) {
        public String describe() {
            return "survives losing: one host " + (survivesHost ? "yes" : "no") + ", one zone " + (survivesZone ? "yes" : "no");
        }
    }

    /** All findings and per-group readiness. */
    public record Report(List<Finding> findings, List<Readiness> readiness) {
        public boolean hasErrors() {
            return findings.stream().anyMatch(f -> f.severity() == Severity.ERROR);
        }
    }

    private Lint() {}

    public static Report check(FleetView view) {
        Topology t = view.topology();
        List<Finding> out = new ArrayList<>(staticFindings(t));
        Map<Long, String> serverIds = new HashMap<>();
        for (InstanceState s : view.states().values()) {
            String i = s.instance();
            if (!s.reachable()) {
                out.add(new Finding(Severity.ERROR, "UNREACHABLE", i, i + " does not answer: " + s.error()));
                continue;
            }
            if (!s.logBin()) out.add(new Finding(Severity.ERROR, "BINLOG_OFF", i, i + " has binary logging off"));
            if (!"ROW".equalsIgnoreCase(s.binlogFormat())) out.add(new Finding(Severity.ERROR, "BINLOG_FORMAT", i, i + " has binlog_format=" + s.binlogFormat() + " (ROW needed)"));
            if (!"FULL".equalsIgnoreCase(s.binlogRowImage())) out.add(new Finding(Severity.ERROR, "ROW_IMAGE", i, i + " has binlog_row_image=" + s.binlogRowImage() + " (FULL needed)"));
            if (!s.gtidEnabled()) out.add(new Finding(Severity.ERROR, "GTID_OFF", i, i + " has GTID replication off"));
            if (s.replica() != null && s.writable()) out.add(new Finding(Severity.ERROR, "WRITABLE_REPLICA", i, i + " replicates but accepts writes (read_only=OFF)"));
            if (s.replica() != null && !s.replica().healthy()) {
                out.add(new Finding(Severity.WARNING, "REPLICATION_STOPPED", i, i + " replication IO=" + s.replica().ioThread() + " SQL=" + s.replica().sqlThread()
                        + (s.replica().lastIoError().isBlank() ? "" : ": " + s.replica().lastIoError())
                        + (s.replica().lastSqlError().isBlank() ? "" : ": " + s.replica().lastSqlError())));
            }
            String prev = serverIds.putIfAbsent(s.serverId(), i);
            if (prev != null) out.add(new Finding(Severity.ERROR, "DUPLICATE_SERVER_ID", i, i + " and " + prev + " share server_id " + s.serverId()));
        }
        for (GroupView g : view.groups()) {
            GroupView.Health h = g.health();
            if (h == GroupView.Health.MULTIPLE_WRITABLE || h == GroupView.Health.NO_PRIMARY || h == GroupView.Health.PRIMARY_UNREACHABLE) {
                out.add(new Finding(Severity.ERROR, h.name(), g.group().name(), "group " + g.group().name() + ": " + h.name().toLowerCase().replace('_', ' ')));
            }
        }
        return new Report(out, readiness(t));
    }

    /** Findings that need no live state: placement of members over hosts and zones. */
    static List<Finding> staticFindings(Topology t) {
        List<Finding> out = new ArrayList<>();
        for (Topology.Group g : t.groups().values()) {
            Map<String, List<String>> byHost = g.instanceNames().stream().collect(Collectors.groupingBy(i -> t.instance(i).host()));
            byHost.forEach((host, members) -> {
                if (members.size() > 1) {
                    out.add(new Finding(Severity.ERROR, "SAME_HOST", g.name(), "group " + g.name() + " has " + String.join(" and ", members) + " on one host " + host));
                }
            });
            Set<String> candidateZones = g.members().stream().filter(m -> m.promotion() != PromotionRule.MUST_NOT)
                    .map(m -> t.zoneOf(m.instance())).collect(Collectors.toSet());
            if (candidateZones.size() <= 1 && g.members().size() > 1) {
                out.add(new Finding(Severity.WARNING, "CANDIDATES_ONE_ZONE", g.name(), "group " + g.name() + " has every promotion candidate in zone "
                        + (candidateZones.isEmpty() ? "(none)" : candidateZones.iterator().next())));
            }
        }
        return out;
    }

    static List<Readiness> readiness(Topology t) {
        List<Readiness> out = new ArrayList<>();
        for (Topology.Group g : t.groups().values()) {
            boolean host = survivesLosingEach(t, g, m -> t.instance(m.instance()).host());
            boolean zone = survivesLosingEach(t, g, m -> t.zoneOf(m.instance()));
            out.add(new Readiness(g.name(), host, zone));
        }
        return out;
    }

    /** True when, for every failure domain holding a member, a promotable member remains outside it. */
    private static boolean survivesLosingEach(Topology t, Topology.Group g, java.util.function.Function<Topology.Member, String> domainOf) {
        Set<String> domains = g.members().stream().map(domainOf).collect(Collectors.toSet());
        Predicate<Topology.Member> promotable = m -> m.promotion() != PromotionRule.MUST_NOT;
        for (String lost : domains) {
            boolean remains = g.members().stream().anyMatch(m -> !domainOf.apply(m).equals(lost) && promotable.test(m));
            if (!remains) return false;
        }
        return true;
    }
}
