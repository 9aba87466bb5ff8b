package io.shardkit.mysql;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * MariaDB GTID position: the last GTID per replication domain ({@code domain-server-seq}).
 *
 * <p>Sequence numbers grow monotonically within a domain under gtid_strict_mode, so "contains"
 * compares them per domain; the server id of the last event is kept for display and for telling who
 * wrote it, and does not take part in comparisons.
 */
public final class MariaDbGtidSet implements GtidSet {

    /** The last transaction applied in one replication domain. */
    public record Gtid(long domain, long serverId, long seq) {
        public Gtid {
            if (domain < 0 || serverId < 0 || seq < 0) throw new IllegalArgumentException("negative GTID component");
        }
        String format() { return domain + "-" + serverId + "-" + seq; }
    }

    private final Map<Long, Gtid> byDomain;

    private MariaDbGtidSet(Map<Long, Gtid> byDomain) {
        this.byDomain = byDomain;
    }

    public static MariaDbGtidSet parse(String text) {
        TreeMap<Long, Gtid> map = new TreeMap<>();
        if (text != null && !text.isBlank()) {
            for (String part : text.trim().split(",")) {
                String p = part.trim();
                if (p.isEmpty()) continue;
                String[] f = p.split("-");
                if (f.length != 3) throw new IllegalArgumentException("bad MariaDB GTID '" + p + "' (want domain-server-seq)");
                Gtid g;
                try {
                    g = new Gtid(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad MariaDB GTID '" + p + "' (want domain-server-seq)");
                }
                Gtid prev = map.get(g.domain());
                if (prev != null) throw new IllegalArgumentException("MariaDB GTID position names domain " + g.domain() + " twice");
                map.put(g.domain(), g);
            }
        }
        return new MariaDbGtidSet(Collections.unmodifiableMap(map));
    }

    @Override public FlavorFamily family() { return FlavorFamily.MARIADB; }

    @Override public boolean isEmpty() { return byDomain.isEmpty(); }

    /** Last sequence number applied in the domain, 0 when none. */
    public long seq(long domain) {
        Gtid g = byDomain.get(domain);
        return g == null ? 0 : g.seq();
    }

    @Override
    public boolean contains(GtidSet other) {
        return asMaria(other).byDomain.values().stream().allMatch(g -> seq(g.domain()) >= g.seq());
    }

    /** The domains in which this position is ahead of {@code other}, at this position's GTID. */
    @Override
    public MariaDbGtidSet subtract(GtidSet other) {
        MariaDbGtidSet o = asMaria(other);
        TreeMap<Long, Gtid> out = new TreeMap<>();
        byDomain.forEach((d, g) -> { if (g.seq() > o.seq(d)) out.put(d, g); });
        return new MariaDbGtidSet(Collections.unmodifiableMap(out));
    }

    /**
     * Per domain, the further of the two positions (its GTID kept whole, so the server id stays the one
     * that wrote that sequence number).
     */
    @Override
    public MariaDbGtidSet union(GtidSet other) {
        TreeMap<Long, Gtid> out = new TreeMap<>(byDomain);
        asMaria(other).byDomain.forEach((d, g) -> out.merge(d, g, (mine, theirs) -> theirs.seq() > mine.seq() ? theirs : mine));
        return new MariaDbGtidSet(Collections.unmodifiableMap(out));
    }

    @Override
    public long countMissingFrom(GtidSet other) {
        MariaDbGtidSet o = asMaria(other);
        return byDomain.values().stream().mapToLong(g -> Math.max(0, g.seq() - o.seq(g.domain()))).sum();
    }

    @Override
    public String format() {
        StringBuilder sb = new StringBuilder();
        byDomain.values().forEach(g -> { if (!sb.isEmpty()) sb.append(','); sb.append(g.format()); });
        return sb.toString();
    }

    private static MariaDbGtidSet asMaria(GtidSet other) {
        if (other instanceof MariaDbGtidSet m) return m;
        throw new IllegalArgumentException("cannot compare a MariaDB GTID position with a " + other.family() + " one");
    }

    @Override public boolean equals(Object o) { return o instanceof MariaDbGtidSet m && m.byDomain.equals(byDomain); }
    @Override public int hashCode() { return byDomain.hashCode(); }
    @Override public String toString() { return format(); }

    /**
     * The transactions a server wrote that another never had, from both servers' {@code
     * gtid_binlog_state} (the last GTID of every domain-server pair in the binary log): a pair whose
     * sequence number is higher on {@code mine} than on {@code theirs}, or absent there. Positions
     * alone cannot show it: a demoted primary's last commit 0-1-706 looks contained in a new
     * primary at 0-2-900, yet that server's binary log never had it.
     */
    public static java.util.List<String> divergent(String mineState, String theirsState) {
        java.util.Map<String, Long> theirs = lastByPair(theirsState);
        java.util.List<String> out = new java.util.ArrayList<>();
        lastByPair(mineState).forEach((pair, seq) -> {
            Long t = theirs.get(pair);
            if (t == null || seq > t) out.add(pair + "-" + seq + (t == null ? "" : " (theirs ends at " + pair + "-" + t + ")"));
        });
        return out;
    }

    private static java.util.Map<String, Long> lastByPair(String state) {
        java.util.Map<String, Long> out = new TreeMap<>();
        if (state == null || state.isBlank()) return out;
        for (String part : state.trim().split(",")) {
            String[] f = part.trim().split("-");
            if (f.length != 3) throw new IllegalArgumentException("bad MariaDB GTID '" + part.trim() + "' (want domain-server-seq)");
            out.merge(f[0] + "-" + f[1], Long.parseLong(f[2]), Math::max);
        }
        return out;
    }
}
