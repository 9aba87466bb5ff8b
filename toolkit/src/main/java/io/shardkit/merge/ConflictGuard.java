package io.shardkit.merge;

import static io.shardkit.mysql.SqlText.identifier;

import io.shardkit.mysql.JdbcValues;
import io.shardkit.mysql.KeyRange;
import io.shardkit.mysql.KeyValues;
import io.shardkit.mysql.RowWrites;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Stops an apply that would overwrite a row another source owns. Upserts (INSERT ... ON DUPLICATE
 * KEY UPDATE) are what make redelivery harmless, but on a unique key they silently rewrite
 * whichever row already holds the value: on a secondary unique key that row is another row, and
 * under the reject strategy a primary key can also arrive from a second source (the plan's scan
 * saw no collision, the application made one since). So before each upsert run:
 * <ul>
 * <li>every secondary unique value it writes must not be held on the target by a row outside the
 * run (in binlog order a source releases a value before reusing it, so a holder outside the run
 * is another source's row, or a row this upsert would destroy);</li>
 * <li>under reject, every inserted key the target already has must not exist on another source
 * (it exists on the target because of a redelivery or the copy, which is fine, or because another
 * source owns it, which is a collision).</li>
 * </ul>
 * Both checks are locking reads ({@code LOCK IN SHARE MODE}) in a REPEATABLE READ transaction
 * ({@link TargetSink} sets it when the guard is needed): a plain read under READ COMMITTED misses
 * another source's insert of the same value that has not committed yet, and the upsert would then
 * wait for it and overwrite it. A locking read waits for that insert and sees it; where nothing
 * holds the value yet it takes a gap lock, so a concurrent insert of it waits for this transaction
 * (or the two deadlock and the retried one sees the other's row).
 * The shard-column strategy needs neither: every unique key includes the shard. A collision is
 * recorded in {@code _shardkit.conflicts} and ends the apply with {@link RowMapper.KeyConflict}: the
 * job moves to CONFLICT with the message, and nothing was overwritten.
 */
final class ConflictGuard {
    private final String jobId;
    private final Plan plan;
    private final DataSource target;
    private final Function<String, DataSource> sources;
    private final Map<String, List<TableSchema.Index>> secondary = new ConcurrentHashMap<>();

    ConflictGuard(String jobId, Plan plan, DataSource target, Function<String, DataSource> sources) {
        this.jobId = jobId;
        this.plan = plan;
        this.target = target;
        this.sources = sources;
    }

    boolean needed() {
        return plan.strategy() != KeyStrategy.SHARD_COLUMN;
    }

    /**
     * @param inserted per row: true when the event created the key (an INSERT, or an UPDATE that changed the key)
     */
    void check(Connection c, String source, String table, RowMapper m, List<Object[]> rows, List<Boolean> inserted) throws SQLException {
        if (!needed() || rows.isEmpty()) return;
        List<String> cols = m.targetColumns();
        List<String> key = m.targetKey();
        Set<String> runKeys = new HashSet<>();
        for (Object[] r : rows) runKeys.add(KeyValues.encode(pick(r, cols, key)));
        for (TableSchema.Index u : secondaryKeys(c, table, key)) {
            List<List<Object>> values = new ArrayList<>();
            for (Object[] r : rows) {
                List<Object> v = pick(r, cols, u.columns());
                if (v.stream().noneMatch(java.util.Objects::isNull)) values.add(v); // NULLs never collide
            }
            if (values.isEmpty()) continue;
            String sql = "SELECT " + list(key) + ", " + list(u.columns()) + " FROM " + from(table) + " WHERE " + KeyRange.in(u.columns(), values.size()) + " LOCK IN SHARE MODE";
            for (List<Object> holder : query(c, sql, values, key.size() + u.columns().size())) {
                List<Object> holderKey = holder.subList(0, key.size());
                if (runKeys.contains(KeyValues.encode(holderKey))) continue;
                // a holder of this source's own is a state the stream has not caught up with yet (the copy wrote a newer
                // image); its later events re-assert it. Only a holder another source owns is a collision.
                String owner = ownerOf(table, source, holderKey, key);
                if (owner == null || owner.equals(source)) continue;
                List<Object> value = holder.subList(key.size(), holder.size());
                Object[] incoming = rows.stream().filter(r -> KeyValues.encode(pick(r, cols, u.columns())).equalsIgnoreCase(KeyValues.encode(value))).findFirst().orElse(rows.getFirst());
                throw conflict(table, source, pick(incoming, cols, key), holderKey, owner, "unique key " + u.name() + " " + u.columns() + " = " + KeyValues.encode(value));
            }
        }
        if (plan.strategy() == KeyStrategy.REJECT) checkOwnedElsewhere(c, source, table, rows, inserted, cols, key);
    }

    private void checkOwnedElsewhere(Connection c, String source, String table, List<Object[]> rows, List<Boolean> inserted, List<String> cols, List<String> key) throws SQLException {
        List<List<Object>> created = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) if (inserted.get(i)) created.add(pick(rows.get(i), cols, key));
        if (created.isEmpty()) return;
        List<List<Object>> present = query(c, "SELECT " + list(key) + " FROM " + from(table) + " WHERE " + KeyRange.in(key, created.size()) + " LOCK IN SHARE MODE", created, key.size());
        if (present.isEmpty()) return;
        for (Plan.Source other : plan.sources()) {
            if (other.group().equals(source)) continue;
            try (Connection o = sources.apply(other.group()).getConnection()) {
                List<List<Object>> there = query(o, "SELECT " + list(key) + " FROM " + from(table) + " WHERE " + KeyRange.in(key, present.size()), present, key.size());
                if (!there.isEmpty()) throw conflict(table, source, there.getFirst(), there.getFirst(), other.group(), "primary key");
            }
        }
    }

    /**
     * The source a target row belongs to: by offset range under the offset strategy, else the source
     * that has the key now (this one first); null when none has it.
     */
    private String ownerOf(String table, String source, List<Object> targetKey, List<String> key) throws SQLException {
        Plan.TablePlan t = plan.tables().stream().filter(x -> x.table().equals(table)).findFirst().orElseThrow();
        if (plan.strategy() == KeyStrategy.OFFSET) {
            for (int i = 0; i < key.size(); i++) {
                if (!t.offsetColumns().contains(key.get(i)) || !(targetKey.get(i) instanceof Number n)) continue;
                String best = null;
                long bestOffset = Long.MIN_VALUE;
                for (var e : t.offsets().entrySet()) {
                    if (e.getValue() <= n.longValue() && e.getValue() > bestOffset) {
                        best = e.getKey();
                        bestOffset = e.getValue();
                    }
                }
                return best;
            }
        }
        List<String> order = new ArrayList<>();
        order.add(source);
        for (Plan.Source s : plan.sources()) if (!s.group().equals(source)) order.add(s.group());
        for (String g : order) {
            try (Connection o = sources.apply(g).getConnection()) {
                if (!query(o, "SELECT " + list(key) + " FROM " + from(table) + " WHERE " + KeyRange.in(key, 1), List.of(targetKey), key.size()).isEmpty()) return g;
            }
        }
        return null;
    }

    /** True when the table has a unique key other than the row key (on the target, where it may include the shard column). */
    boolean hasSecondaryUnique(Connection c, String table, List<String> key) throws SQLException {
        return !secondaryKeys(c, table, key).isEmpty();
    }

    private List<TableSchema.Index> secondaryKeys(Connection c, String table, List<String> key) throws SQLException {
        List<TableSchema.Index> known = secondary.get(table);
        if (known != null) return known;
        TableSchema s = SchemaReader.read(c, plan.database(), table);
        List<TableSchema.Index> out = s == null ? List.of() : s.uniqueKeys().stream()
                .filter(i -> !new HashSet<>(i.columns()).equals(new HashSet<>(key))).toList();
        secondary.put(table, out);
        return out;
    }

    private RowMapper.KeyConflict conflict(String table, String source, List<Object> incomingKey, List<Object> holderKey, String otherSource, String what) {
        String message = "apply of " + plan.database() + "." + table + " from " + source + " would overwrite "
                + (otherSource != null ? "the row " + otherSource + " owns" : "another row") + " on " + what + ": incoming key " + KeyValues.encode(incomingKey)
                + ", held by key " + KeyValues.encode(holderKey) + " (recorded in " + MetaTables.DB + ".conflicts; nothing was overwritten)";
        try (Connection c = target.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO " + MetaTables.DB + ".conflicts"
                + " (job_id, tbl, source, key_json, holder_key_json, holder_source, detail, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, NOW(6))")) {
            ps.setString(1, jobId);
            ps.setString(2, table);
            ps.setString(3, source);
            ps.setString(4, KeyValues.encode(incomingKey));
            ps.setString(5, KeyValues.encode(holderKey));
            ps.setString(6, otherSource);
            ps.setString(7, what.length() > 1000 ? what.substring(0, 1000) : what);
            ps.executeUpdate();
        } catch (SQLException e) {
            message += " [could not record it: " + e.getMessage() + "]";
        }
        return new RowMapper.KeyConflict(message);
    }

    private static List<Object> pick(Object[] row, List<String> cols, List<String> wanted) {
        List<Object> out = new ArrayList<>();
        for (String w : wanted) {
            int i = cols.indexOf(w);
            out.add(i < 0 ? null : row[i]);
        }
        return out;
    }

    private static List<List<Object>> query(Connection c, String sql, List<List<Object>> params, int width) throws SQLException {
        List<List<Object>> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            for (List<Object> p : params) for (Object v : p) RowWrites.bind(ps, i++, v);
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    List<Object> row = new ArrayList<>();
                    for (int k = 1; k <= width; k++) row.add(JdbcValues.read(rs, k, md));
                    out.add(row);
                }
            }
        }
        return out;
    }

    private String from(String table) {
        return identifier(plan.database()) + "." + identifier(table);
    }

    private static String list(List<String> cols) {
        return String.join(", ", cols.stream().map(io.shardkit.mysql.SqlText::identifier).toList());
    }
}
