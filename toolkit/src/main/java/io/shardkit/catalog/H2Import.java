package io.shardkit.catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a catalog written by an older shardkit ({@code catalog.mv.db}, H2) into the SQLite file, once.
 * The H2 file is opened exclusively (the kernel lock H2 takes on it, not its AUTO_SERVER protocol),
 * so no old process can write while its rows are copied; the copy goes into
 * {@code catalog.db.importing}, migrated to the newest schema, in one transaction with every
 * identity value kept, and only the finished file is renamed to {@code catalog.db}: a process killed
 * at any step leaves either no catalog.db (the next open imports again) or a complete one. Then the
 * H2 file is renamed to {@code catalog.mv.db.imported-<time>}, never deleted. (Killed between those
 * two renames, catalog.mv.db stays beside the complete catalog.db and is ignored.)
 */
final class H2Import {
    static final String H2_FILE = "catalog.mv.db";
    private static final String IMPORTING = SqliteFile.NAME + ".importing";
    private static final Logger LOG = LoggerFactory.getLogger(H2Import.class);

    private H2Import() {}

    /** True when the home has an old H2 catalog and no SQLite one yet. */
    static boolean pending(Path home) {
        return Files.exists(home.resolve(H2_FILE)) && !Files.exists(home.resolve(SqliteFile.NAME));
    }

    /** Imports the H2 catalog of {@code home}, if still pending; call it under {@link SqliteFile#exclusively}. */
    static void run(Path home) {
        if (!pending(home)) return; // another process imported it while this one waited for the lock
        Path h2 = home.resolve(H2_FILE);
        Path importing = home.resolve(IMPORTING);
        try (Connection old = openExclusively(home)) {
            for (String leftover : new String[] {"", "-wal", "-shm", "-journal"}) Files.deleteIfExists(home.resolve(IMPORTING + leftover));
            long rows = copy(old, importing);
            try (FileChannel f = FileChannel.open(importing, StandardOpenOption.WRITE)) {
                f.force(true);
            }
            Files.move(importing, home.resolve(SqliteFile.NAME), StandardCopyOption.ATOMIC_MOVE);
            fsyncDirectory(home);
            // renamed while still open and locked, so no old process can slip a write in after the copy
            Path kept = home.resolve(H2_FILE + ".imported-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            Files.move(h2, kept, StandardCopyOption.ATOMIC_MOVE);
            fsyncDirectory(home);
            LOG.info("imported {} rows of the old catalog {} into {}; the old file is kept as {}", rows, h2, home.resolve(SqliteFile.NAME), kept);
        } catch (SQLException e) {
            throw new CatalogException("cannot import the old catalog " + h2 + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot import the old catalog " + h2, e);
        }
    }

    private static Connection openExclusively(Path home) throws SQLException {
        // FILE_LOCK=FS: H2's lock on the file itself, held by whichever old process serves the catalog;
        // a stale catalog.lock.db left by a killed one does not matter
        String url = "jdbc:h2:file:" + home.resolve("catalog") + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;FILE_LOCK=FS;IFEXISTS=TRUE;TRACE_LEVEL_FILE=0";
        try {
            return DriverManager.getConnection(url, "shardkit", "");
        } catch (SQLException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("locked") || m.contains("already in use")) {
                throw new CatalogException("the catalog " + home.resolve(H2_FILE) + " is in use by a shardkit of an older version: stop every old shardkit"
                        + " process of this home (merges, the daemon, status commands), then run this again to import it into " + SqliteFile.NAME, e);
            }
            throw e;
        }
    }

    /** Migrates a new SQLite file and copies every table's rows into it in one transaction; the number of rows. */
    private static long copy(Connection old, Path target) throws SQLException {
        BigDecimal oldVersion = version(old);
        if (oldVersion != null && oldVersion.compareTo(BigDecimal.valueOf(Catalog.LATEST_VERSION)) > 0) {
            throw new SQLException("it is at schema version " + oldVersion + ", newer than this shardkit's " + Catalog.LATEST_VERSION);
        }
        DataSource ds = SqliteFile.dataSource(target);
        SqliteFile.migrate(ds);
        long rows = 0;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            for (String table : tables(old)) rows += copyTable(old, c, table);
            c.commit();
            c.setAutoCommit(true); // the driver began the next transaction at once, and a checkpoint runs outside one
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA wal_checkpoint(TRUNCATE)"); // everything into catalog.db itself before it is renamed
            }
        }
        return rows;
    }

    private static BigDecimal version(Connection old) throws SQLException {
        if (!tables(old).contains("flyway_schema_history")) return null;
        BigDecimal max = null;
        try (Statement st = old.createStatement(); ResultSet rs = st.executeQuery("SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL")) {
            while (rs.next()) {
                BigDecimal v = new BigDecimal(rs.getString(1));
                if (max == null || v.compareTo(max) > 0) max = v;
            }
        }
        return max;
    }

    /** The H2 catalog's tables, its migration history aside (the new file has its own). */
    private static List<String> tables(Connection old) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = old.getMetaData().getTables(null, "public", "%", new String[] {"TABLE", "BASE TABLE"})) {
            while (rs.next()) out.add(rs.getString("TABLE_NAME"));
        }
        return out;
    }

    private static long copyTable(Connection old, Connection sqlite, String table) throws SQLException {
        if (table.equals("flyway_schema_history")) return 0;
        Set<String> columns = new HashSet<>();
        try (Statement st = sqlite.createStatement(); ResultSet rs = st.executeQuery("PRAGMA table_info(\"" + table + "\")")) {
            while (rs.next()) columns.add(rs.getString("name"));
        }
        try (Statement st = old.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM \"" + table + "\"")) {
            ResultSetMetaData md = rs.getMetaData();
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) names.add(md.getColumnName(i).toLowerCase(java.util.Locale.ROOT));
            if (!columns.containsAll(names)) {
                throw new SQLException("table " + table + " has columns " + names + " that the new schema lacks (" + columns + ")");
            }
            String sql = "INSERT INTO \"" + table + "\" (" + String.join(", ", names) + ") VALUES (" + "?, ".repeat(names.size() - 1) + "?)";
            long rows = 0;
            try (PreparedStatement ins = sqlite.prepareStatement(sql)) {
                while (rs.next()) {
                    for (int i = 1; i <= names.size(); i++) ins.setObject(i, value(rs, i, md.getColumnType(i)));
                    ins.addBatch();
                    if (++rows % 500 == 0) ins.executeBatch();
                }
                ins.executeBatch();
            }
            return rows;
        }
    }

    /** One H2 value as the embedded catalog stores it (timestamps as {@link SqliteValues} text). */
    private static Object value(ResultSet rs, int i, int type) throws SQLException {
        Object v = switch (type) {
            case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE -> rs.getTimestamp(i);
            case Types.BOOLEAN, Types.BIT -> rs.getBoolean(i);
            case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT -> rs.getLong(i);
            case Types.CLOB, Types.NCLOB, Types.VARCHAR, Types.CHAR, Types.LONGVARCHAR, Types.NVARCHAR -> rs.getString(i);
            default -> rs.getObject(i);
        };
        return rs.wasNull() ? null : SqliteValues.bind(v);
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
