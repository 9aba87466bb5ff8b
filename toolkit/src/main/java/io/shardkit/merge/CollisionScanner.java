package io.shardkit.merge;

import static io.shardkit.mysql.SqlText.identifier;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeSet;

/**
 * Exact detection of key values present in more than one source (no sampling).
 *
 * <p>First the range of the key's leading column on each source: rows outside the overlap of a
 * source's range with the others' cannot collide and are never read. Inside it, each source streams
 * its keys in index order and a k-way merge finds equal keys. Text columns are compared by
 * {@code WEIGHT_STRING}, i.e. by the column's collation, exactly as the target's unique index will
 * compare them ('a' and 'A' collide under a case-insensitive collation). Rows with a NULL in a
 * unique key never collide (unique indexes admit many NULLs).
 */
public final class CollisionScanner {
    static final int EXAMPLES = 5;

    private CollisionScanner() {}

    /** Scans one unique key of one table over the given source connections (group name to connection). */
    public static Plan.Collision scan(TableSchema schema, TableSchema.Index key, Map<String, Connection> sources) throws SQLException {
        List<TableSchema.Column> cols = key.columns().stream().map(c -> schema.column(c).orElseThrow()).toList();
        String lead = identifier(cols.getFirst().name());
        String from = identifier(schema.database()) + "." + identifier(schema.table());
        Map<String, Object[]> ranges = new LinkedHashMap<>();
        for (var e : sources.entrySet()) {
            try (var st = e.getValue().createStatement(); ResultSet rs = st.executeQuery("SELECT MIN(" + lead + "), MAX(" + lead + ") FROM " + from)) {
                rs.next();
                if (rs.getObject(1) != null) ranges.put(e.getKey(), new Object[] {rs.getObject(1), rs.getObject(2)});
            }
        }
        if (ranges.size() < 2) return new Plan.Collision(key.name() + key.columns(), 0, List.of());

        List<Cursor> cursors = new ArrayList<>();
        try {
            for (var e : ranges.entrySet()) {
                // text bounds would be compared in the connection's collation, not the column's: scan all of it
                Object[] window = cols.getFirst().isText() ? e.getValue() : overlapWindow(e.getKey(), ranges, sources.get(e.getKey()), lead);
                if (window == null) continue;
                cursors.add(new Cursor(e.getKey(), sources.get(e.getKey()), cols, from, lead, window));
            }
            return merge(key.name() + key.columns(), cursors);
        } finally {
            for (Cursor c : cursors) c.close();
        }
    }

    /**
     * The part of one source's range that intersects the hull of the other sources' ranges, or null
     * when they do not meet. Bounds are compared by the server (collation-aware), never in Java.
     */
    private static Object[] overlapWindow(String me, Map<String, Object[]> ranges, Connection c, String lead) throws SQLException {
        Object[] mine = ranges.get(me);
        Object lo = mine[0];
        Object hi = mine[1];
        Object othersLo = null;
        Object othersHi = null;
        for (var e : ranges.entrySet()) {
            if (e.getKey().equals(me)) continue;
            othersLo = othersLo == null ? e.getValue()[0] : least(c, othersLo, e.getValue()[0]);
            othersHi = othersHi == null ? e.getValue()[1] : greatest(c, othersHi, e.getValue()[1]);
        }
        Object from = greatest(c, lo, othersLo);
        Object to = least(c, hi, othersHi);
        return compare(c, from, to) <= 0 ? new Object[] {from, to} : null;
    }

    private static int compare(Connection c, Object a, Object b) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT CASE WHEN ? < ? THEN -1 WHEN ? = ? THEN 0 ELSE 1 END")) {
            ps.setObject(1, a);
            ps.setObject(2, b);
            ps.setObject(3, a);
            ps.setObject(4, b);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static Object least(Connection c, Object a, Object b) throws SQLException {
        return compare(c, a, b) <= 0 ? a : b;
    }

    private static Object greatest(Connection c, Object a, Object b) throws SQLException {
        return compare(c, a, b) >= 0 ? a : b;
    }

    static Plan.Collision merge(String keyName, List<? extends KeyStream> streams) throws SQLException {
        PriorityQueue<KeyStream> heap = new PriorityQueue<>((a, b) -> compareKeys(a.current(), b.current()));
        for (KeyStream s : streams) if (s.advance()) heap.add(s);
        long count = 0;
        List<String> examples = new ArrayList<>();
        while (!heap.isEmpty()) {
            KeyStream first = heap.poll();
            Object[] k = first.current();
            List<KeyStream> same = new ArrayList<>(List.of(first));
            while (!heap.isEmpty() && compareKeys(heap.peek().current(), k) == 0) same.add(heap.poll());
            if (same.size() > 1) {
                count++;
                if (examples.size() < EXAMPLES) {
                    TreeSet<String> where = new TreeSet<>();
                    same.forEach(s -> where.add(s.source()));
                    examples.add(first.display() + " in " + String.join(", ", where));
                }
            }
            for (KeyStream s : same) if (s.advance()) heap.add(s);
        }
        return new Plan.Collision(keyName, count, List.copyOf(examples));
    }

    /** Orders key tuples: numbers numerically, byte strings (collation weights, binary) unsigned. */
    static int compareKeys(Object[] a, Object[] b) {
        for (int i = 0; i < a.length; i++) {
            int c;
            if (a[i] instanceof BigDecimal x && b[i] instanceof BigDecimal y) c = x.compareTo(y);
            else if (a[i] instanceof Double x && b[i] instanceof Double y) c = Double.compare(x, y);
            else if (a[i] instanceof byte[] x && b[i] instanceof byte[] y) c = Arrays.compareUnsigned(x, y);
            else c = a[i].toString().compareTo(b[i].toString());
            if (c != 0) return c;
        }
        return 0;
    }

    /** A sorted stream of key tuples from one source. */
    interface KeyStream {
        String source();

        boolean advance() throws SQLException;

        Object[] current();

        String display();
    }

    /** Streams one source's keys inside its overlap window, in index order. */
    private static final class Cursor implements KeyStream, AutoCloseable {
        private final String source;
        private final List<TableSchema.Column> cols;
        private final java.sql.Statement st;
        private final ResultSet rs;
        private Object[] current;
        private String display;

        Cursor(String source, Connection c, List<TableSchema.Column> cols, String from, String lead, Object[] window) throws SQLException {
            this.source = source;
            this.cols = cols;
            StringBuilder select = new StringBuilder("SELECT ");
            for (int i = 0; i < cols.size(); i++) {
                String col = identifier(cols.get(i).name());
                if (i > 0) select.append(", ");
                select.append(cols.get(i).isText() ? "WEIGHT_STRING(" + col + ")" : col).append(", ").append(col);
            }
            String order = String.join(", ", cols.stream().map(x -> identifier(x.name())).toList());
            String notNull = String.join(" AND ", cols.stream().map(x -> identifier(x.name()) + " IS NOT NULL").toList());
            PreparedStatement ps = c.prepareStatement(select + " FROM " + from + " WHERE " + lead + " BETWEEN ? AND ? AND " + notNull + " ORDER BY " + order,
                    ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
            ps.setFetchSize(Integer.MIN_VALUE); // stream rows: a key set may not fit in memory
            ps.setObject(1, window[0]);
            ps.setObject(2, window[1]);
            this.st = ps;
            this.rs = ps.executeQuery();
        }

        @Override public String source() { return source; }

        @Override
        public boolean advance() throws SQLException {
            if (!rs.next()) return false;
            Object[] k = new Object[cols.size()];
            StringBuilder d = new StringBuilder("(");
            for (int i = 0; i < cols.size(); i++) {
                Object v = cols.get(i).isText() || cols.get(i).isInteger() || isDecimalOrFloat(cols.get(i)) ? rs.getObject(2 * i + 1) : rs.getString(2 * i + 1);
                if (v instanceof byte[] b) k[i] = b;
                else if (v instanceof String s) k[i] = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                else if (v instanceof Float || v instanceof Double) k[i] = ((Number) v).doubleValue();
                else if (v instanceof Number n) k[i] = new BigDecimal(n.toString());
                else k[i] = v.toString();
                if (i > 0) d.append(", ");
                d.append(rs.getString(2 * i + 2));
            }
            current = k;
            display = d.append(")").toString();
            return true;
        }

        private static boolean isDecimalOrFloat(TableSchema.Column c) {
            String t = c.columnType().toLowerCase(java.util.Locale.ROOT);
            return t.startsWith("decimal") || t.startsWith("float") || t.startsWith("double");
        }

        @Override public Object[] current() { return current; }

        @Override public String display() { return display; }

        @Override
        public void close() {
            try {
                rs.close();
                st.close();
            } catch (SQLException ignored) {
                // closing a half-read streaming result set can fail on a dead connection; nothing to do
            }
        }
    }
}
