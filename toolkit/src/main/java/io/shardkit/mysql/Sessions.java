package io.shardkit.mysql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Client sessions of a server other than shardkit's own and the server's threads: what a freeze or a fence ends. */
public final class Sessions {
    private Sessions() {}

    /** The PROCESSLIST condition selecting application sessions: everyone but {@code ownUsers}, this session, replication and server threads. */
    public static String othersWhere(Set<String> ownUsers) {
        List<String> quoted = new ArrayList<>();
        for (String u : ownUsers) quoted.add(SqlText.literal(u));
        quoted.add("'system user'");
        quoted.add("'event_scheduler'");
        return "USER NOT IN (" + String.join(", ", quoted) + ") AND ID <> CONNECTION_ID() AND COMMAND NOT IN ('Binlog Dump', 'Binlog Dump GTID', 'Daemon')";
    }

    /**
     * Kills every application session and waits (up to {@code wait}) until they are gone: KILL only
     * asks, and a session in the middle of its commit finishes it first, so a GTID set read before
     * they are gone could miss a commit. Returns how many were killed.
     */
    public static int kill(Connection c, Set<String> ownUsers, java.time.Duration wait) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT ID FROM information_schema.PROCESSLIST WHERE " + othersWhere(ownUsers))) {
            while (rs.next()) ids.add(rs.getLong(1));
        }
        int killed = 0;
        for (long sid : ids) {
            try (var st = c.createStatement()) {
                st.execute("KILL CONNECTION " + sid);
                killed++;
            } catch (SQLException e) {
                if (e.getErrorCode() != 1094) throw e; // already gone
            }
        }
        if (ids.isEmpty()) return 0;
        String left = "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID IN (" + String.join(",", ids.stream().map(String::valueOf).toList()) + ")";
        long deadline = System.nanoTime() + wait.toNanos();
        while (Long.parseLong(Queries.string(c, left)) > 0) {
            if (System.nanoTime() > deadline) throw new SQLException(killed + " killed session(s) still there after " + wait.toMillis() + " ms");
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while sessions ended", e);
            }
        }
        return killed;
    }
}
