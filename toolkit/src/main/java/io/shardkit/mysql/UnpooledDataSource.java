package io.shardkit.mysql;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/** Fresh connection per call; see {@link Connections#unpooled}. */
final class UnpooledDataSource implements DataSource {
    private final Endpoint endpoint;
    private final Credential credential;
    private final ConnectionSettings settings;

    UnpooledDataSource(Endpoint endpoint, Credential credential, ConnectionSettings settings) {
        this.endpoint = endpoint;
        this.credential = credential;
        this.settings = settings;
    }

    @Override public Connection getConnection() throws SQLException { return Connections.open(endpoint, credential, settings); }
    @Override public Connection getConnection(String u, String p) throws SQLException { throw new SQLFeatureNotSupportedException(); }
    @Override public PrintWriter getLogWriter() { return null; }
    @Override public void setLogWriter(PrintWriter out) {}
    @Override public void setLoginTimeout(int seconds) {}
    @Override public int getLoginTimeout() { return (int) settings.connectTimeout().toSeconds(); }
    @Override public Logger getParentLogger() throws SQLFeatureNotSupportedException { throw new SQLFeatureNotSupportedException(); }
    @Override public <T> T unwrap(Class<T> iface) throws SQLException { throw new SQLException("not a wrapper"); }
    @Override public boolean isWrapperFor(Class<?> iface) { return false; }
}
