package io.shardkit.catalog;

import io.shardkit.merge.JobState;
import io.shardkit.merge.JobStore;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One process of {@link CatalogStressTest}: {@code writer HOME SLOT INCARNATION}, {@code reader HOME SLOT
 * INCARNATION} or {@code spin THREADS}. A writer prints a line for each catalog write only after the
 * call returned (the write is acknowledged); every line ends with " ." so that a line cut by kill -9
 * is never read as an acknowledgement. Any unexpected failure prints an {@code error} line and exits 2.
 */
public final class CatalogStressChild {
    /** Groups every writer competes for: a taken one makes the next INSERT fail on the primary key. */
    static final List<String> SHARED_GROUPS = List.of("shared-0", "shared-1", "shared-2");

    private static final PrintStream OUT = new PrintStream(new FileOutputStream(FileDescriptor.out), true);

    public static void main(String[] args) {
        if (args[0].equals("spin")) {
            spin(Integer.parseInt(args[1]));
            return;
        }
        Path home = Path.of(args[1]);
        int slot = Integer.parseInt(args[2]);
        int incarnation = Integer.parseInt(args[3]);
        long started = System.nanoTime();
        Catalog catalog;
        try {
            catalog = Catalog.embedded(home);
        } catch (RuntimeException e) {
            fail("open", e);
            return;
        }
        say("open " + (System.nanoTime() - started) / 1_000_000);
        try (catalog) {
            if (args[0].equals("writer")) write(catalog, home, slot, incarnation);
            else read(catalog);
        } catch (RuntimeException e) {
            fail("run", e);
        }
    }

    /** Busy threads that keep every core saturated while the catalog processes run. */
    private static void spin(int threads) {
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                long x = 0;
                while (true) x += System.nanoTime() % 7;
            }, "spin-" + i);
            t.start();
        }
    }

    /** Audit rows, job transitions, heartbeats and group locks, each acknowledged once it returned. */
    private static void write(Catalog catalog, Path home, int slot, int incarnation) {
        JobStore jobs = new JobStore(catalog);
        GroupLocks locks = new GroupLocks(catalog);
        String job = "j-" + slot + "-" + incarnation;
        String me = "w-" + slot + "-" + incarnation;
        String sharedHolder = "slot-" + slot; // the same across incarnations: a restarted writer re-enters its own lock
        JobState[] cycle = {JobState.COPYING, JobState.STREAMING, JobState.PAUSED, JobState.STREAMING, JobState.VERIFYING, JobState.STREAMING};
        int moves = 0;
        String shared = null;
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        java.util.Set<String> mine = new java.util.TreeSet<>(); // the private groups this writer holds, as acknowledged
        for (long seq = 0; ; seq++) {
            // its own acknowledged lock writes, read back at each round: the first round where one is gone
            // says when (between which acknowledged writes) a write of this process vanished
            java.util.Set<String> seen = catalog.query("SELECT group_name FROM group_locks WHERE holder = ?", rs -> {
                java.util.Set<String> out = new java.util.TreeSet<>();
                while (rs.next()) out.add(rs.getString(1));
                return out;
            }, me);
            if (!seen.equals(mine)) {
                say("error vanished at round " + seq + ": holds " + seen + ", acknowledged " + mine);
                System.exit(3);
            }
            // the same through a connection of its own, outside the pool: it sees committed rows only, so a
            // difference means a pooled connection holds acknowledged writes in a transaction never committed
            java.util.Set<String> committed = committedLocks(home, me);
            if (!committed.equals(mine)) {
                say("error uncommitted at round " + seq + ": committed " + committed + ", pool sees " + seen + ", acknowledged " + mine);
                System.exit(3);
            }
            // a timestamp with microseconds: it must come back exactly
            Instant now = Instant.now();
            Timestamp at = Timestamp.from(Instant.ofEpochSecond(now.getEpochSecond(), (now.getNano() / 1000) * 1000L));
            String tag = me + "-" + seq;
            long id = catalog.insert("INSERT INTO audit_log (happened_at, actor, command, outcome, detail) VALUES (?, ?, ?, ?, ?)",
                    at, me, "stress", "ok", tag);
            say("audit " + id + " " + tag + " " + micros(at));

            JobState to = moves == 0 ? JobState.COPYING : cycle[moves % cycle.length];
            jobs.move(job, to, "stress " + seq);
            moves++;
            say("move " + job + " " + moves + " " + to);
            jobs.heartbeat(job);

            String group = "p-" + slot + "-" + incarnation + "-" + (seq % 5);
            if (locks.holder(group) == null) {
                say("locking " + group); // from here until "lock", the group may or may not be taken
                if (!locks.acquire(List.of(group), me, "stress").isEmpty()) throw new IllegalStateException("private group " + group + " held by another");
                mine.add(group);
                say("lock " + group + " " + me);
            } else {
                say("unlocking " + group); // likewise until "unlock"
                int released = locks.release(List.of(group), me);
                mine.remove(group);
                say("unlock " + group + " " + released);
            }

            // a pause, as shardkit's own writers have: four writers in a tight loop on a saturated machine starve
            // each other (SQLite's busy handler polls, so a waiter can keep missing the lock), which tests
            // fairness, not durability
            pause(rnd.nextInt(10));

            if (shared == null) {
                String g = SHARED_GROUPS.get(rnd.nextInt(SHARED_GROUPS.size()));
                if (locks.acquire(List.of(g), sharedHolder, "stress").isEmpty()) shared = g;
            } else if (rnd.nextInt(4) == 0) {
                locks.release(List.of(shared), sharedHolder);
                shared = null;
            }
        }
    }

    /** The group locks {@code holder} has in the file, read through a fresh connection. */
    private static java.util.Set<String> committedLocks(Path home, String holder) {
        // the busy timeout as a connection property: the read waits for a writer as the pool's connections do
        java.util.Properties props = new org.sqlite.SQLiteConfig().toProperties();
        props.setProperty("busy_timeout", String.valueOf(SqliteFile.BUSY_TIMEOUT_MILLIS));
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + home.resolve(SqliteFile.NAME).toAbsolutePath(), props);
             java.sql.PreparedStatement ps = c.prepareStatement("SELECT group_name FROM group_locks WHERE holder = ?")) {
            ps.setString(1, holder);
            java.util.Set<String> out = new java.util.TreeSet<>();
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
            return out;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("fresh read of group_locks: " + e.getMessage(), e);
        }
    }

    /** Reads what the writers write; the audit log only grows, so a count that shrinks is a lost row. */
    private static void read(Catalog catalog) {
        JobStore jobs = new JobStore(catalog);
        GroupLocks locks = new GroupLocks(catalog);
        long seenMax = 0;
        long seenCount = 0;
        for (long n = 0; ; n++) {
            long[] now = catalog.query("SELECT COUNT(*), COALESCE(MAX(audit_id), 0) FROM audit_log", rs -> {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            });
            if (now[0] < seenCount || now[1] < seenMax) {
                throw new IllegalStateException("audit_log went back from " + seenCount + " rows (max id " + seenMax + ") to " + now[0] + " (max id " + now[1] + ")");
            }
            seenCount = now[0];
            seenMax = now[1];
            catalog.recentAudit(5);
            for (String g : SHARED_GROUPS) locks.holder(g);
            jobs.state("j-0-0");
            if (n % 20 == 0) say("read " + seenCount);
        }
    }

    private static void pause(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static long micros(Timestamp t) {
        Instant i = t.toInstant();
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    }

    private static void say(String line) {
        OUT.println(line + " .");
    }

    private static void fail(String stage, Throwable e) {
        Throwable r = e;
        while (r.getCause() != null) r = r.getCause();
        say("error " + stage + ": " + String.valueOf(e.getMessage()).replace('\n', ' ') + " / " + r.getClass().getSimpleName() + ": "
                + String.valueOf(r.getMessage()).replace('\n', ' '));
        OUT.flush();
        System.exit(2);
    }
}
