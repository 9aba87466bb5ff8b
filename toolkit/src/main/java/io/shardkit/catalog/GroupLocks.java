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
            Held h;
            try {
                h = take(g, holder, purpose);
            } catch (CatalogException e) {
                for (String t : taken) release(t, holder);
                throw e;
            }
            if (h == null) {
                taken.add(g);
            } else if (!h.holder().equals(holder)) { // the same holder re-enters
                for (String t : taken) release(t, holder);
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

    /** Null once the lock is taken, else who holds it. */
    private Held take(String group, String holder, String purpose) {
        for (int attempt = 1; ; attempt++) {
            try {
                catalog.update("INSERT INTO group_locks (group_name, holder, purpose, acquired_at) VALUES (?, ?, ?, ?)", group, holder, purpose, Timestamp.from(Instant.now()));
                return null;
            } catch (CatalogException e) {
                Held h = holder(group);
                if (h != null) return h;
                // refused, yet nobody holds it: its holder released it between our INSERT and our look (the
                // catalog stress test's writers met this), so try again; a refusal for any other reason repeats
                if (attempt == 3) throw e;
            }
        }
    }

    /**
     * A cutover's lock once it has started switching (shard map, writer IPs, target writable): a
     * failover may no longer take the group from it and waits for its release.
     */
    public static final String SWITCHING = "cutover: switching";
    /** A cutover's lock while its sources are frozen: a failover waits a bounded time, then takes it. */
    public static final String FROZEN = "cutover: frozen";

    /**
     * Changes the purpose of every lock {@code holder} holds on {@code groups}, in one transaction:
     * true when it still held them all (else nothing changed). A cutover marks its point of no
     * return this way, atomically against {@link #preempt}: the catalog serializes the two.
     */
    public boolean mark(List<String> groups, String holder, String purpose) {
        try {
            return catalog.inTransaction(c -> {
                int n = 0;
                for (String g : groups) n += c.update("UPDATE group_locks SET purpose = ? WHERE group_name = ? AND holder = ?", purpose, g, holder);
                if (n != groups.size()) throw new NotHeld();
                return true;
            });
        } catch (NotHeld e) {
            return false;
        }
    }

    private static final class NotHeld extends RuntimeException {
        NotHeld() {
            super(null, null, false, false);
        }
    }

    /**
     * Takes {@code group}'s lock from {@code from} (a cutover that has not started switching) for
     * {@code holder}: true when taken. The cutover finds out at its next check and aborts.
     */
    public boolean preempt(String group, String from, String holder, String purpose) {
        return catalog.update("UPDATE group_locks SET holder = ?, purpose = ?, acquired_at = ? WHERE group_name = ? AND holder = ? AND purpose <> ?",
                holder, purpose, Timestamp.from(Instant.now()), group, from, SWITCHING) == 1;
    }

    /** The groups among {@code groups} whose lock {@code holder} no longer holds. */
    public List<String> lost(List<String> groups, String holder) {
        List<String> out = new ArrayList<>();
        for (String g : groups) {
            Held h = holder(g);
            if (h == null || !h.holder().equals(holder)) out.add(g);
        }
        return out;
    }

    /** Releases what {@code holder} holds of {@code groups}; returns how many it held. */
    public int release(List<String> groups, String holder) {
        int n = 0;
        for (String g : groups) n += release(g, holder);
        return n;
    }

    private int release(String group, String holder) {
        return catalog.update("DELETE FROM group_locks WHERE group_name = ? AND holder = ?", group, holder);
    }

    public Held holder(String group) {
        return catalog.query("SELECT group_name, holder, purpose, acquired_at FROM group_locks WHERE group_name = ?",
                rs -> rs.next() ? new Held(rs.getString(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant()) : null, group);
    }
}
