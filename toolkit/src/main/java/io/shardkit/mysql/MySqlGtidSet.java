package io.shardkit.mysql;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** MySQL GTID set: per source UUID, a sorted list of disjoint, non-adjacent closed intervals. */
public final class MySqlGtidSet implements GtidSet {

    /** A closed interval of transaction numbers. */
    public record Interval(long start, long end) {
        public Interval {
            if (start < 1 || end < start) throw new IllegalArgumentException("bad GTID interval " + start + "-" + end);
        }
        long size() { return end - start + 1; }
    }

    private final Map<String, List<Interval>> byUuid;

    private MySqlGtidSet(Map<String, List<Interval>> byUuid) {
        this.byUuid = byUuid;
    }

    public static MySqlGtidSet parse(String text) {
        TreeMap<String, List<Interval>> map = new TreeMap<>();
        if (text == null) return new MySqlGtidSet(Collections.unmodifiableMap(map));
        String cleaned = text.replace("\n", "").replace("\r", "").trim();
        if (cleaned.isEmpty()) return new MySqlGtidSet(Collections.unmodifiableMap(map));
        for (String part : cleaned.split(",")) {
            String p = part.trim();
            String[] fields = p.split(":");
            if (fields.length < 2) throw new IllegalArgumentException("bad MySQL GTID set element '" + p + "'");
            String uuid = fields[0].trim().toLowerCase(Locale.ROOT);
            if (!uuid.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")) {
                throw new IllegalArgumentException("bad server UUID '" + fields[0] + "' in GTID set");
            }
            List<Interval> list = map.computeIfAbsent(uuid, k -> new ArrayList<>());
            for (int i = 1; i < fields.length; i++) {
                String[] range = fields[i].trim().split("-");
                try {
                    long start = Long.parseLong(range[0]);
                    long end = range.length > 1 ? Long.parseLong(range[1]) : start;
                    list.add(new Interval(start, end));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad interval '" + fields[i] + "' in GTID set");
                }
            }
        }
        TreeMap<String, List<Interval>> normalized = new TreeMap<>();
        map.forEach((uuid, list) -> normalized.put(uuid, normalize(list)));
        return new MySqlGtidSet(Collections.unmodifiableMap(normalized));
    }

    private static List<Interval> normalize(List<Interval> in) {
        List<Interval> sorted = new ArrayList<>(in);
        sorted.sort((a, b) -> Long.compare(a.start(), b.start()));
        List<Interval> out = new ArrayList<>();
        for (Interval iv : sorted) {
            if (!out.isEmpty() && iv.start() <= out.getLast().end() + 1) {
                Interval last = out.removeLast();
                out.add(new Interval(last.start(), Math.max(last.end(), iv.end())));
            } else {
                out.add(iv);
            }
        }
        return List.copyOf(out);
    }

    @Override public FlavorFamily family() { return FlavorFamily.MYSQL; }

    @Override public boolean isEmpty() { return byUuid.isEmpty(); }

    /** Intervals executed for one source UUID (empty when none). */
    public List<Interval> intervals(String uuid) {
        return byUuid.getOrDefault(uuid.toLowerCase(Locale.ROOT), List.of());
    }

    @Override
    public boolean contains(GtidSet other) {
        return asMySql(other).subtract(this).isEmpty();
    }

    @Override
    public MySqlGtidSet subtract(GtidSet other) {
        MySqlGtidSet o = asMySql(other);
        TreeMap<String, List<Interval>> out = new TreeMap<>();
        byUuid.forEach((uuid, mine) -> {
            List<Interval> remaining = new ArrayList<>(mine);
            for (Interval cut : o.byUuid.getOrDefault(uuid, List.of())) {
                List<Interval> next = new ArrayList<>();
                for (Interval iv : remaining) {
                    if (cut.end() < iv.start() || cut.start() > iv.end()) {
                        next.add(iv);
                        continue;
                    }
                    if (iv.start() < cut.start()) next.add(new Interval(iv.start(), cut.start() - 1));
                    if (iv.end() > cut.end()) next.add(new Interval(cut.end() + 1, iv.end()));
                }
                remaining = next;
            }
            if (!remaining.isEmpty()) out.put(uuid, List.copyOf(remaining));
        });
        return new MySqlGtidSet(Collections.unmodifiableMap(out));
    }

    @Override
    public long countMissingFrom(GtidSet other) {
        return subtract(other).byUuid.values().stream().flatMap(List::stream).mapToLong(Interval::size).sum();
    }

    @Override
    public MySqlGtidSet union(GtidSet other) {
        MySqlGtidSet o = asMySql(other);
        return parse(format() + (isEmpty() || o.isEmpty() ? "" : ",") + o.format());
    }

    @Override
    public String format() {
        StringBuilder sb = new StringBuilder();
        byUuid.forEach((uuid, list) -> {
            if (!sb.isEmpty()) sb.append(',');
            sb.append(uuid);
            for (Interval iv : list) {
                sb.append(':').append(iv.start());
                if (iv.end() != iv.start()) sb.append('-').append(iv.end());
            }
        });
        return sb.toString();
    }

    private static MySqlGtidSet asMySql(GtidSet other) {
        if (other instanceof MySqlGtidSet m) return m;
        throw new IllegalArgumentException("cannot compare a MySQL GTID set with a " + other.family() + " one");
    }

    @Override public boolean equals(Object o) { return o instanceof MySqlGtidSet m && m.byUuid.equals(byUuid); }
    @Override public int hashCode() { return byUuid.hashCode(); }
    @Override public String toString() { return format(); }
}
