package io.shardkit.catalog;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.shardkit.mysql.Credential;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The control-plane store: plans, jobs, checkpoints, offsets, verify results, failover journal,
 * schedules, audit. One schema (the Flyway SQL in {@code migrations/}) on two backends: an embedded
 * SQLite file under the state directory ({@link SqliteFile}), or a MySQL/MariaDB database given as a
 * JDBC URL.
 */
public final class Catalog implements AutoCloseable {

    /** Where the catalog lives, and so how values cross the driver. */
    private enum Kind { EMBEDDED, EXTERNAL }

    private final HikariDataSource ds;
    private final Clock clock;
    private final String description;
    private final Kind kind;
    /** False for a borrowed view: closing it leaves the pool to its owner. */
    private final boolean owner;
    /** The connection of a transaction in progress ({@link #inTransaction}), or null: one connection per statement. */
    private final Connection bound;

    private Catalog(HikariDataSource ds, Clock clock, String description, Kind kind, boolean owner) {
        this(ds, clock, description, kind, owner, null);
    }

    private Catalog(HikariDataSource ds, Clock clock, String description, Kind kind, boolean owner, Connection bound) {
        this.ds = ds;
        this.clock = clock;
        this.description = description;
        this.kind = kind;
        this.owner = owner;
        this.bound = bound;
    }

    /** The same catalog and pool for a caller that closes what it opens, while this one stays open (the daemon's). */
    public Catalog borrowed() {
        return new Catalog(ds, clock, description, kind, false);
    }

    /**
     * Runs {@code work} against a view of this catalog whose statements form one transaction:
     * committed when it returns, rolled back when it throws. Writes that belong together (a job's
     * state and its transition, a verify run and its differences) are then never half there, and
     * an embedded catalog syncs its file once instead of once per row.
     */
    public <T> T inTransaction(java.util.function.Function<Catalog, T> work) {
        if (bound != null) return work.apply(this);
        return kind == Kind.EMBEDDED ? embeddedTransaction(work) : driverTransaction(work);
    }

    private <T> T driverTransaction(java.util.function.Function<Catalog, T> work) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                T out = work.apply(new Catalog(ds, clock, description, kind, false, c));
                c.commit();
                return out;
            } catch (RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException r) {
                    e.addSuppressed(r);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new CatalogException("catalog transaction failed: " + e.getMessage(), e);
        }
    }

    /**
     * SQLite: BEGIN, the work and COMMIT as plain statements on a connection the driver keeps in
     * autocommit mode (the driver's transaction calls misreport a failed BEGIN, see {@link SqliteFile}).
     * A connection whose transaction ended in any error is evicted from the pool, never reused: closing
     * it rolls back whatever SQLite still holds open, so a transaction reported failed is never partly
     * committed and no later statement on that connection can land inside a transaction that is never
     * committed.
     */
    private <T> T embeddedTransaction(java.util.function.Function<Catalog, T> work) {
        Connection c;
        try {
            c = ds.getConnection();
        } catch (SQLException e) {
            throw new CatalogException("catalog transaction failed: " + e.getMessage(), e);
        }
        boolean clean = false;
        try {
            execute(c, SqliteFile.BEGIN);
            T out = work.apply(new Catalog(ds, clock, description, kind, false, c));
            execute(c, "COMMIT");
            clean = true;
            return out;
        } catch (SQLException e) {
            throw new CatalogException("catalog transaction failed: " + e.getMessage(), e);
        } finally {
            if (!clean) ds.evictConnection(c); // closes it: SQLite rolls back what is open
            try {
                c.close();
            } catch (SQLException ignored) {
                // evicted or already closed: nothing of this transaction survives either way
            }
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (var st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** Work on one connection. */
    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    /** On the transaction's connection, or on one of the pool's for this statement alone. */
    private <T> T withConnection(SqlWork<T> work) throws SQLException {
        if (bound != null) return work.run(bound);
        try (Connection c = ds.getConnection()) {
            return work.run(c);
        }
    }

    /**
     * The embedded catalog: {@code catalog.db} under {@code stateDir}, SQLite in WAL mode. Several
     * processes share it, each with its own connections, and any of them may be killed at any
     * moment without losing a committed row. A {@code catalog.mv.db} of an older shardkit (H2) is
     * imported the first time, see {@link H2Import}.
     */
    public static Catalog embedded(Path stateDir) {
        return embedded(stateDir, SqliteFile.BUSY_TIMEOUT_MILLIS);
    }

    /** The same, waiting at most {@code busyTimeoutMillis} for another process's write (tests). */
    static Catalog embedded(Path stateDir, int busyTimeoutMillis) {
        Path home = stateDir.toAbsolutePath();
        Path file = home.resolve(SqliteFile.NAME);
        String description = "embedded " + file;
        HikariConfig cfg = new HikariConfig();
        try {
            Files.createDirectories(home);
            if (H2Import.pending(home)) SqliteFile.exclusively(home, () -> H2Import.run(home));
            cfg.setDataSource(SqliteFile.dataSource(file, busyTimeoutMillis));
        } catch (IOException | RuntimeException e) {
            throw new CatalogException("cannot open catalog (" + description + "): " + rootMessage(e), e);
        }
        // processes that find the schema behind queue for the lock and look again there: only the first migrates
        return open(cfg, description, Kind.EMBEDDED, ds -> SqliteFile.exclusively(home, () -> {
            if (!current(ds)) SqliteFile.migrate(ds);
        }));
    }

    /** A catalog in a MySQL/MariaDB database; the URL must not carry a password. */
    public static Catalog external(String jdbcUrl, Credential credential) {
        if (jdbcUrl.toLowerCase(java.util.Locale.ROOT).contains("password=")) {
            throw new IllegalArgumentException("catalog URL must not contain a password: give it through the catalog credentials");
        }
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(jdbcUrl);
        cfg.setUsername(credential.user());
        cfg.setPassword(credential.password().reveal());
        cfg.addDataSourceProperty("connectTimeout", "2000");
        // a catalog server cut off mid-statement would otherwise hold the caller until TCP gives up (minutes):
        // a daemon's duties loop, which must notice a lost lead, waits at most this long on its catalog
        cfg.addDataSourceProperty("socketTimeout", "15000");
        cfg.setConnectionTimeout(15_000);
        cfg.addDataSourceProperty("sslMode", "DISABLED");
        cfg.addDataSourceProperty("allowPublicKeyRetrieval", "true");
        return open(cfg, "external " + jdbcUrl.replaceAll("\\?.*$", ""), Kind.EXTERNAL,
                ds -> Flyway.configure().dataSource(ds).locations("classpath:" + SqliteMigrations.LOCATION).loggers("slf4j").load().migrate());
    }

    private static Catalog open(HikariConfig cfg, String description, Kind kind, Consumer<DataSource> migrate) {
        cfg.setPoolName("shardkit-catalog");
        cfg.setMaximumPoolSize(4);
        cfg.setMinimumIdle(0);
        HikariDataSource ds = null;
        try {
            ds = new HikariDataSource(cfg); // connects at once: a wrong password fails here
            if (!current(ds)) migrate.accept(ds);
            return new Catalog(ds, Clock.systemUTC(), description, kind, true);
        } catch (RuntimeException e) {
            if (ds != null) ds.close();
            throw new CatalogException("cannot open catalog (" + description + "): " + rootMessage(e), e);
        }
    }

    /** The highest migration in migrations/ (CatalogTest checks it against the files). */
    public static final int LATEST_VERSION = 7;

    /**
     * True when the schema is already at {@link #LATEST_VERSION} with every migration successful:
     * then Flyway (classpath scan, checksum validation: a quarter of a second per command) is skipped.
     * A newer or failed state still goes through Flyway, which explains itself.
     */
    private static boolean current(javax.sql.DataSource ds) {
        try (java.sql.Connection c = ds.getConnection(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT MAX(CAST(version AS INT)), MIN(CASE WHEN success THEN 1 ELSE 0 END) FROM flyway_schema_history WHERE version IS NOT NULL")) {
            return rs.next() && rs.getInt(1) == LATEST_VERSION && rs.getInt(2) == 1;
        } catch (java.sql.SQLException e) {
            return false; // no history yet (a new catalog), or a backend that spells it differently: Flyway decides
        }
    }

    /** The innermost message, or the first of ours on the way there (it says what to do). */
    private static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && !(r instanceof CatalogException)) r = r.getCause();
        return r.getMessage() == null ? r.getClass().getSimpleName() : r.getMessage().lines().findFirst().orElse("");
    }

    public String description() {
        return description;
    }

    /** Highest applied migration version, with two decimals ("5.00"). */
    public String schemaVersion() {
        // compared here, not with CAST(.. AS DECIMAL(10,2)): SQLite has no decimal type and would answer "5"
        return query("SELECT version FROM flyway_schema_history WHERE success = 1 AND version IS NOT NULL", rs -> {
            BigDecimal max = null;
            while (rs.next()) {
                BigDecimal v = new BigDecimal(rs.getString(1));
                if (max == null || v.compareTo(max) > 0) max = v;
            }
            return max == null ? null : max.setScale(2, RoundingMode.UNNECESSARY).toPlainString();
        });
    }

    /** Appends one line to the audit log: who ran which command (secrets are never part of a command line). */
    public void audit(String actor, String command, String outcome, String detail) {
        update("INSERT INTO audit_log (happened_at, actor, command, outcome, detail) VALUES (?, ?, ?, ?, ?)",
                now(), actor, truncate(command, 2048), outcome, truncate(detail, 4096));
    }

    /** One line of the audit log, with where the command came from (cli, shell, runbook FILE, schedule NAME, daemon). */
    public void audit(String actor, String origin, String command, String outcome, String detail) {
        update("INSERT INTO audit_log (happened_at, actor, command, outcome, detail, origin) VALUES (?, ?, ?, ?, ?, ?)",
                now(), actor, truncate(command, 2048), outcome, truncate(detail, 4096), truncate(origin, 256));
    }

    /** One audit entry as read back. */
    public record AuditEntry(long id, String actor, String command, String outcome, String detail, java.time.Instant at, String origin) {}

    public List<AuditEntry> recentAudit(int limit) {
        return auditSince(null, limit);
    }

    /** The newest entries first, those after {@code since} (null: any). */
    public List<AuditEntry> auditSince(java.time.Instant since, int limit) {
        String where = since == null ? "" : " WHERE happened_at >= ?";
        Object[] args = since == null ? new Object[0] : new Object[] {Timestamp.from(since)};
        return query("SELECT audit_id, actor, command, outcome, detail, happened_at, origin FROM audit_log" + where + " ORDER BY audit_id DESC LIMIT "
                + Math.max(1, limit), rs -> {
                    List<AuditEntry> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(new AuditEntry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                                rs.getTimestamp(6).toInstant(), rs.getString(7)));
                    }
                    return out;
                }, args);
    }

    /** Appends a failover journal step. */
    public void journal(String recoveryId, String group, int step, String stepName, String outcome, String evidenceJson) {
        update("INSERT INTO failover_journal (recovery_id, group_name, step_no, happened_at, step_name, outcome, evidence_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
                recoveryId, group, step, now(), stepName, outcome, evidenceJson);
    }

    /** A journal step as read back. */
    public record JournalEntry(String recoveryId, String group, int step, String stepName, String outcome, String evidenceJson) {}

    public List<JournalEntry> journal(String recoveryId) {
        return query("SELECT recovery_id, group_name, step_no, step_name, outcome, evidence_json FROM failover_journal WHERE recovery_id = '"
                + recoveryId.replace("'", "''") + "' ORDER BY step_no, entry_id", rs -> {
                    List<JournalEntry> out = new ArrayList<>();
                    while (rs.next()) out.add(new JournalEntry(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getString(5), rs.getString(6)));
                    return out;
                });
    }

    /** Stores a plan; a second plan with the same id is refused (plans are immutable once stored). */
    public void savePlan(String planId, String createdBy, String sourceGroups, String targetGroup, String specJson) {
        Integer exists = query("SELECT COUNT(*) FROM plans WHERE plan_id = ?", rs -> { rs.next(); return rs.getInt(1); }, planId);
        if (exists > 0) throw new IllegalArgumentException("a plan with id '" + planId + "' already exists (choose another --id)");
        update("INSERT INTO plans (plan_id, created_at, created_by, source_groups, target_group, spec_json) VALUES (?, ?, ?, ?, ?, ?)",
                planId, now(), createdBy, sourceGroups, targetGroup, specJson);
    }

    /** The stored JSON of a plan, or null. */
    public String planJson(String planId) {
        return query("SELECT spec_json FROM plans WHERE plan_id = ?", rs -> rs.next() ? rs.getString(1) : null, planId);
    }

    Timestamp now() {
        return Timestamp.from(clock.instant());
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    /** A reader of one result set. */
    @FunctionalInterface
    public interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    public <T> T query(String sql, RowReader<T> reader, Object... args) {
        try {
            return withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    bind(ps, args);
                    try (ResultSet rs = ps.executeQuery()) {
                        return reader.read(kind == Kind.EMBEDDED ? SqliteValues.reading(rs) : rs);
                    }
                }
            });
        } catch (SQLException e) {
            throw new CatalogException("catalog query failed: " + e.getMessage(), e);
        }
    }

    public int update(String sql, Object... args) {
        try {
            return withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    bind(ps, args);
                    return ps.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw new CatalogException("catalog update failed: " + e.getMessage(), e);
        }
    }

    /** An INSERT into a table with an AUTO_INCREMENT key; returns the new key. */
    public long insert(String sql, Object... args) {
        try {
            return withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement(sql, java.sql.Statement.RETURN_GENERATED_KEYS)) {
                    bind(ps, args);
                    ps.executeUpdate();
                    try (ResultSet rs = ps.getGeneratedKeys()) {
                        rs.next();
                        return rs.getLong(1);
                    }
                }
            });
        } catch (SQLException e) {
            throw new CatalogException("catalog insert failed: " + e.getMessage(), e);
        }
    }

    private void bind(PreparedStatement ps, Object[] args) throws SQLException {
        for (int i = 0; i < args.length; i++) ps.setObject(i + 1, kind == Kind.EMBEDDED ? SqliteValues.bind(args[i]) : args[i]);
    }

    @Override
    public void close() {
        if (owner) ds.close();
    }
}
