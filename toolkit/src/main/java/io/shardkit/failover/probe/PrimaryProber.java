package io.shardkit.failover.probe;

import io.shardkit.failover.analysis.PrimaryProbe;
import io.shardkit.failover.analysis.Reach;
import io.shardkit.mysql.ConnectionSettings;
import io.shardkit.mysql.Connections;
import io.shardkit.mysql.Credential;
import io.shardkit.mysql.Endpoint;
import io.shardkit.mysql.Flavor;
import io.shardkit.mysql.Flavors;
import io.shardkit.mysql.GtidSet;
import io.shardkit.mysql.Queries;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The manager's probe of a primary (orchestrator's ReadTopologyInstance, plus a write): a bare TCP
 * connect first, so a refusal (the host lives, nothing listens) is told from a timeout (no path, or
 * no host) and from a stall (the kernel accepts, mysqld does not answer: a SIGSTOP'd process); then
 * a fresh connection reads read_only, the executed GTIDs and, when the primary is writable, commits
 * a heartbeat row and times the commit. Reads alone do not prove a primary works: one whose commits
 * hang still answers SELECTs. The heartbeats also give every replica a stream of events to hear.
 */
public final class PrimaryProber {
    /** The heartbeat table, one row per group, in shardkit's own database on every primary. */
    public static final String TABLE = "_shardkit.heartbeat";

    private final Credential admin;
    private final ProbeSettings settings;

    public PrimaryProber(Credential admin, ProbeSettings settings) {
        this.admin = admin;
        this.settings = settings;
    }

    public PrimaryProbe probe(String group, Endpoint e) {
        PrimaryProbe p = once(group, e);
        if (p.reach() != Reach.STALLED) return p;
        // the connect succeeded and the work failed: a stall, or a server that died between the two (kill -9 mid-probe);
        // a second connect tells them apart (a dead mysqld refuses it at once)
        PrimaryProbe again = connect(e);
        return again != null && again.reach() == Reach.REFUSED ? again : p;
    }

    /** Null when the TCP connect succeeds, else the failed probe it makes. */
    private PrimaryProbe connect(Endpoint e) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(e.host(), e.port()), (int) settings.connect().toMillis());
            return null;
        } catch (ConnectException refused) {
            return PrimaryProbe.failed(Reach.REFUSED, "connection refused");
        } catch (SocketTimeoutException timeout) {
            return PrimaryProbe.failed(Reach.TIMED_OUT, "no answer to TCP connect within " + settings.connect().toMillis() + " ms");
        } catch (IOException io) {
            // no route to host, network unreachable: nothing answered, like a timeout
            return PrimaryProbe.failed(Reach.TIMED_OUT, io.getMessage());
        }
    }

    private PrimaryProbe once(String group, Endpoint e) {
        PrimaryProbe failed = connect(e);
        if (failed != null) return failed;
        try (Connection c = Connections.open(e, admin, new ConnectionSettings(settings.connect(), settings.answer(), false, false))) {
            Flavor flavor;
            boolean ro;
            boolean sro;
            String version;
            try (var st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT @@version")) {
                rs.next();
                version = rs.getString(1);
                flavor = Flavors.forVersion(version);
            }
            try (var st = c.createStatement(); ResultSet rs = st.executeQuery(flavor.readOnlyQuery())) {
                rs.next();
                ro = rs.getBoolean(1);
                sro = rs.getBoolean(2);
            }
            GtidSet executed = flavor.parseGtid(Queries.string(c, flavor.gtidExecutedQuery()));
            if (ro || sro) return PrimaryProbe.readOnly(executed, sro).withVersion(version);
            long t0 = System.nanoTime();
            heartbeat(c, group);
            Duration commit = Duration.ofNanos(System.nanoTime() - t0);
            // read after the write: the heartbeat's own transaction is part of what the primary has
            executed = flavor.parseGtid(Queries.string(c, flavor.gtidExecutedQuery()));
            return PrimaryProbe.answered(executed, commit).withVersion(version);
        } catch (SQLException ex) {
            // the TCP connect succeeded: what failed after it is a server that does not do its work
            return PrimaryProbe.failed(Reach.STALLED, io.shardkit.mysql.SqlErrors.describe(ex));
        }
    }

    /** The primary's executed GTIDs now (a second, quick read); null when it no longer answers, which makes errant transactions unjudgeable, not invented. */
    public GtidSet executed(Endpoint e) {
        try (Connection c = Connections.open(e, admin, new ConnectionSettings(settings.connect(), settings.answer(), false, false))) {
            Flavor flavor = Flavors.forVersion(Queries.string(c, "SELECT @@version"));
            return flavor.parseGtid(Queries.string(c, flavor.gtidExecutedQuery()));
        } catch (SQLException ex) {
            return null;
        }
    }

    /** The heartbeat table, made where the probe finds the primary writable for the first time. */
    static void heartbeat(Connection c, String group) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (grp, ts, beats) VALUES (?, NOW(6), 1)"
                + " ON DUPLICATE KEY UPDATE ts = VALUES(ts), beats = beats + 1")) {
            ps.setString(1, group);
            ps.executeUpdate();
        } catch (SQLException missing) {
            if (missing.getErrorCode() != 1146 && missing.getErrorCode() != 1049) throw missing;
            Queries.execute(c, "CREATE DATABASE IF NOT EXISTS _shardkit");
            Queries.execute(c, "CREATE TABLE IF NOT EXISTS " + TABLE + " (grp VARCHAR(128) NOT NULL PRIMARY KEY, ts DATETIME(6) NOT NULL, beats BIGINT NOT NULL)");
            heartbeat(c, group);
        }
    }
}
