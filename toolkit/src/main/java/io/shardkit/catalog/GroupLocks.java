package io.shardkit.catalog;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Mutual exclusion between operations on replication groups (a cutover and a failover must never
 * touch the same group at once). A lock is a row per group; the primary key makes taking it atomic
 * on every catalog backend. Locks are taken all or nothing.
 */
public final class GroupLocks {
    private final Catalog catalog;

    public GroupLocks(Catalog catalog) {
        this.catalog = catalog;
    }

    /** A lock someone else holds. */
    public record Held(String group, String holder, String purpose, Instant since) {}

    /** Takes every group's lock for {@code holder}, or none: returns the locks that were in the way (empty on success). */
    public List<Held> acquire(List<String> groups, String holder, String purpose) {
        List<String> taken = new ArrayList<>();
        for (String g : groups) {
            try {
                catalog.update("INSERT INTO group_locks (group_name, holder, purpose, acquired_at) VALUES (?, ?, ?, ?)", g, holder, purpose, Timestamp.from(Instant.now()));
                taken.add(g);
            } catch (CatalogException e) {
                Held h = holder(g);
                if (h != null && h.holder().equals(holder)) continue; // re-entrant for the same holder
                for (String t : taken) release(t, holder);
                if (h == null) throw e;
                List<Held> in = new ArrayList<>();
                for (String o : groups) {
                    Held x = holder(o);
                    if (x != null && !x.holder().equals(holder)) in.add(x);
                }
                return in;
            }
        }
        return List.of();
    }

    public void release(List<String> groups, String holder) {
        for (String g : groups) release(g, holder);
    }

    private void release(String group, String holder) {
        catalog.update("DELETE FROM group_locks WHERE group_name = ? AND holder = ?", group, holder);
    }

    public Held holder(String group) {
        return catalog.query("SELECT group_name, holder, purpose, acquired_at FROM group_locks WHERE group_name = ?",
                rs -> rs.next() ? new Held(rs.getString(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant()) : null, group);
    }
}
