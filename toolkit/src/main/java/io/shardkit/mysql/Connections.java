package io.shardkit.mysql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Opens connections to fleet servers through MySQL Connector/J: single fresh connections for probes
 * (a pool would hide a dead server behind a cached socket) and HikariCP pools for sustained work.
 * The password travels in connection properties, never in a URL that a driver could echo.
 */
public final class Connections {
    private Connections() {}

    static String url(Endpoint e, ConnectionSettings s) {
        return "jdbc:mysql://" + e.host() + ":" + e.port() + "/"
                + "?connectTimeout=" + s.connectTimeout().toMillis()
                + "&socketTimeout=" + s.socketTimeout().toMillis()
                + "&sslMode=DISABLED&allowPublicKeyRetrieval=true"
                + "&rewriteBatchedStatements=true&useServerPrepStmts=false&cachePrepStmts=true&prepStmtCacheSize=256&prepStmtCacheSqlLimit=8192"
                + "&connectionTimeZone=UTC&forceConnectionTimeZoneToSession=true"
                + "&characterEncoding=UTF-8&tcpKeepAlive=true"
                // results in utf8mb4, converted by the server: left unset, Connector/J asks for no conversion and decodes each
                // column's raw bytes with its own Java charset, and Java's windows-1252 has no character for five latin1 bytes
                + "&characterSetResults=UTF-8"
                // TINYINT(1) is a number (a driver-made boolean turns a stored 2 into 1)
                + "&tinyInt1isBit=false"
                // LOAD DATA LOCAL (LoadData always hands the driver an in-memory stream). Connector/J's
                // allowLoadLocalInfileInPath would be narrower but it ignores the stream and demands the file;
                // only the merge target's pool (a server of the operator's own fleet) gets this
                + (s.loadFromMemory() ? "&allowLoadLocalInfile=true" : "");
    }

    private static Properties props(Credential c) {
        Properties p = new Properties();
        p.setProperty("user", c.user());
        p.setProperty("password", c.password().reveal());
        return p;
    }

    public static Connection open(Endpoint e, Credential c, ConnectionSettings s) throws SQLException {
        Connection conn = DriverManager.getConnection(url(e, s), props(c));
        if (s.exactWrites()) {
            try (var st = conn.createStatement()) {
                st.execute(exactModeSql());
            } catch (SQLException ex) {
                conn.close();
                throw ex;
            }
        }
        return conn;
    }

    /** Set at every connection's start, after the driver's own session setup (which would otherwise win). */
    private static String exactModeSql() {
        return "SET SESSION sql_mode = '" + ConnectionSettings.EXACT_SQL_MODE + "'";
    }

    /** A pool for one instance; the caller owns and closes it. */
    public static HikariDataSource pool(String name, Endpoint e, Credential c, ConnectionSettings s, int maxSize) {
        return pool(name, e, c, s, maxSize, null);
    }

    /** A pool whose connections use the given isolation (e.g. TRANSACTION_READ_COMMITTED), or the server's default when null. */
    public static HikariDataSource pool(String name, Endpoint e, Credential c, ConnectionSettings s, int maxSize, String isolation) {
        HikariConfig cfg = new HikariConfig();
        if (isolation != null) cfg.setTransactionIsolation(isolation);
        cfg.setPoolName("shardkit-" + name);
        cfg.setJdbcUrl(url(e, s));
        cfg.setUsername(c.user());
        cfg.setPassword(c.password().reveal());
        cfg.setMaximumPoolSize(maxSize);
        cfg.setMinimumIdle(0);
        cfg.setConnectionTimeout(Math.max(250, s.connectTimeout().toMillis() * 2));
        cfg.setValidationTimeout(Math.max(250, s.connectTimeout().toMillis()));
        // fail on first use rather than at construction, so a pool for a dead replica can exist
        cfg.setInitializationFailTimeout(-1);
        if (s.exactWrites()) cfg.setConnectionInitSql(exactModeSql());
        return new HikariDataSource(cfg);
    }
}
