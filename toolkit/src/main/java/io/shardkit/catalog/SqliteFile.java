package io.shardkit.catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The embedded catalog's file, {@code <home>/catalog.db}: SQLite in WAL mode, shared by every
 * shardkit process of that home (a merge, the daemon, status and verify commands), any of which may
 * be killed at any moment. SQLite's locks are the kernel's (fcntl), so a dead process holds none,
 * and a commit is on disk before it returns, so no other process has to survive for it to last.
 * (H2's AUTO_SERVER catalog had neither property: its owner kept the last commits of every process
 * in memory, and its lock file was a timing protocol; see the README's catalog section.)
 *
 * <p>The file must be on a local filesystem: WAL shares an index through memory-mapping
 * {@code catalog.db-shm}, which network filesystems do not provide between hosts.
 *
 * <p>Never open, read or close {@code catalog.db} (or its -wal and -shm files) with Java file
 * APIs in a process that has the catalog open: closing any descriptor of a file drops every fcntl
 * lock the process holds on it, SQLite's included. Only the separate {@link #MIGRATE_LOCK} file is
 * locked from Java.
 */
final class SqliteFile {
    static final String NAME = "catalog.db";
    /** Locked while one process imports or migrates (Flyway does not lock a SQLite history); empty. */
    static final String MIGRATE_LOCK = "catalog.db.migrate-lock";
    /** How long a connection waits for another process's write to finish before failing. */
    static final int BUSY_TIMEOUT_MILLIS = 30_000;
    /** How long opening waits for another process's import or migration. */
    private static final long MIGRATE_WAIT_MILLIS = 120_000;

    private SqliteFile() {}

    /** Connections to one catalog file, each set up for many processes and kill -9. */
    static DataSource dataSource(Path file) {
        return dataSource(file, BUSY_TIMEOUT_MILLIS);
    }

    /** The same with another busy timeout (tests that make another process hold the lock). */
    static DataSource dataSource(Path file, int busyTimeoutMillis) {
        SQLiteConfig config = new SQLiteConfig();
        // WAL: a commit appends to catalog.db-wal and is complete only with its checksummed commit frame,
        // so a process killed mid-write leaves a tail that the next opener discards, never a torn table;
        // readers do not block the writer nor it them (a status command never stalls a merge)
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // FULL: the WAL is fsynced at every commit, so an acknowledged write survives a crash of the machine
        // too, not only of the process (the page cache would cover kill -9 alone); catalog writes are few
        // (state changes, heartbeats, verify results), so the fsync is cheap next to what they record
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        // a loaded machine can keep another process's transaction open for seconds; wait for it instead
        // of failing with SQLITE_BUSY
        config.setBusyTimeout(busyTimeoutMillis);
        // no transaction mode here: the driver's own transactions (setAutoCommit(false)) are never used on
        // this file, see Catalog.inTransaction: they begin the next transaction inside commit() and flag the
        // connection before running SQL, so a BEGIN that timed out left a pooled connection flagged as in a
        // transaction while SQLite committed each statement alone (measured: a transaction reported failed
        // whose rows were all committed)
        SQLiteDataSource ds = new SQLiteDataSource(config);
        ds.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
        return ds;
    }

    /**
     * Begins a transaction that holds the write lock from its first statement (BEGIN IMMEDIATE, waiting
     * under the busy timeout): a deferred one that read first could only fail with SQLITE_BUSY when it
     * tried to write after another process had (the busy handler cannot help a reader that must upgrade).
     */
    static final String BEGIN = "BEGIN IMMEDIATE";

    /** Brings the schema to the newest migration, through the dialect shim. */
    static void migrate(DataSource ds) {
        Flyway.configure().dataSource(ds).resourceProvider(new SqliteMigrations()).loggers("slf4j").load().migrate();
    }

    /**
     * Runs {@code work} while no other process or thread imports or migrates the catalog of
     * {@code home}. The lock is the kernel's, so a process killed while holding it releases it.
     */
    static void exclusively(Path home, Runnable work) {
        synchronized (SqliteFile.class) { // a JVM holds a file lock once: its threads queue here
            try (FileChannel ch = FileChannel.open(home.resolve(MIGRATE_LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                try (FileLock lock = lock(ch, home)) {
                    work.run();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot lock " + home.resolve(MIGRATE_LOCK), e);
            }
        }
    }

    private static FileLock lock(FileChannel ch, Path home) throws IOException {
        long deadline = System.nanoTime() + MIGRATE_WAIT_MILLIS * 1_000_000;
        for (FileLock lock = ch.tryLock(); ; lock = ch.tryLock()) {
            if (lock != null) return lock;
            if (System.nanoTime() > deadline) {
                throw new CatalogException("another process has been migrating or importing the catalog in " + home + " for "
                        + MIGRATE_WAIT_MILLIS / 1000 + " s (it holds " + MIGRATE_LOCK + ")", null);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CatalogException("interrupted while waiting to migrate the catalog in " + home, e);
            }
        }
    }
}
