package io.shardkit.failover.recovery;

import io.shardkit.mysql.ConnectionSettings;
import io.shardkit.mysql.Connections;
import io.shardkit.mysql.Credential;
import io.shardkit.mysql.Flavor;
import io.shardkit.mysql.Flavors;
import io.shardkit.mysql.GtidSet;
import io.shardkit.mysql.Queries;
import io.shardkit.mysql.ReplicationSource;
import io.shardkit.mysql.Sessions;
import io.shardkit.mysql.Statement;
import io.shardkit.topology.HostCommands;
import io.shardkit.topology.Topology;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * What a recovery does to servers, one statement sequence per verb, all through the flavor layer:
 * fence (by SQL, or by stopping mysqld through its host when SQL no longer answers), catch a
 * candidate up (apply what it received; fetch from a more advanced survivor), promote, repoint.
 */
public final class Servers {
    private static final Duration HOST_COMMAND = Duration.ofSeconds(5);

    private final Topology topology;
    private final Credential admin;
    private final Credential replication;

    public Servers(Topology topology, Credential admin, Credential replication) {
        this.topology = topology;
        this.admin = admin;
        this.replication = replication;
    }

    private static final java.time.Duration KILL_WAIT = java.time.Duration.ofSeconds(5);
    private static final java.time.Duration FENCE_WAIT = java.time.Duration.ofSeconds(2);

    /**
     * Fenced by SQL, or when that fails (a commit that cannot finish, a server that stopped answering
     * mid-way) stopped through its host. Returns what was done; throws when neither worked.
     */
    public String fenceOrStop(String instance) throws Exception {
        try {
            return "fenced by SQL, " + fence(instance) + " client session(s) ended";
        } catch (SQLException e) {
            String why = io.shardkit.mysql.SqlErrors.describe(e);
            if (!HostCommands.reachable(topology.hostOf(instance))) throw new IllegalStateException("could not fence " + instance + " by SQL (" + why + ") and its host has no exec access");
            return "could not fence by SQL (" + why + "): " + stopThroughHost(instance);
        }
    }

    Connection open(String instance) throws SQLException {
        return Connections.open(topology.instance(instance).endpoint(), admin, ConnectionSettings.ADMIN);
    }

    static Flavor flavor(Connection c) throws SQLException {
        return Flavors.forVersion(Queries.string(c, "SELECT @@version"));
    }

    /**
     * Makes the server refuse writes from everyone it can (super_read_only where the flavor has it)
     * and ends every client session but replication's, shardkit's own included: MariaDB's read_only
     * lets privileged users through, so a merge's apply or an administrator's session could still
     * commit. Returns once the killed sessions are gone (a commit in flight ends first); how many.
     */
    public int fence(String instance) throws SQLException {
        try (Connection c = open(instance)) {
            // read_only waits for commits in flight; a semi-sync primary's commits wait for an acknowledgement that
            // never comes once its replicas follow another primary (and KILL does not end that wait), so the fence
            // is bounded and the caller stops the server through its host instead
            Queries.execute(c, "SET SESSION lock_wait_timeout = " + FENCE_WAIT.toSeconds());
            for (Statement s : flavor(c).fence()) {
                try (var st = c.createStatement()) {
                    st.setQueryTimeout((int) FENCE_WAIT.toSeconds() + 1);
                    st.execute(s.sql());
                }
            }
            return Sessions.kill(c, Set.of(), KILL_WAIT);
        }
    }

    /**
     * Stops a mysqld that no longer answers SQL, through its host: the process listening on its
     * address gets SIGKILL (also when SIGSTOP'd), so it can acknowledge nothing more. Its files stay
     * for the salvage. Returns what was done, or throws when the host cannot do it.
     */
    public String stopThroughHost(String instance) throws Exception {
        Topology.Instance i = topology.instance(instance);
        Topology.Host h = topology.hostOf(instance);
        // the pid listening on this instance's own address (several mysqld share a host, each on its own IP)
        String find = "ss -Hltnp src " + i.ip() + ":" + i.port() + " | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2";
        HostCommands.Result pid = HostCommands.run(h, List.of("sh", "-c", find), HOST_COMMAND);
        if (!pid.ok()) throw new IllegalStateException("host " + h.name() + " did not answer while looking for " + instance + "'s mysqld");
        String p = pid.output().strip();
        if (p.isEmpty()) return "no mysqld listens on " + i.ip() + ":" + i.port() + " on " + h.name();
        HostCommands.Result kill = HostCommands.run(h, List.of("kill", "-9", p), HOST_COMMAND);
        if (!kill.ok()) throw new IllegalStateException("could not stop " + instance + "'s mysqld (pid " + p + ") on " + h.name() + ": " + kill.output().strip());
        long deadline = System.nanoTime() + HOST_COMMAND.toNanos();
        while (System.nanoTime() < deadline) {
            HostCommands.Result alive = HostCommands.run(h, List.of("kill", "-0", p), HOST_COMMAND);
            if (!alive.ok()) return "stopped " + instance + "'s mysqld (pid " + p + ") on " + h.name() + " with SIGKILL";
            Thread.sleep(20);
        }
        throw new IllegalStateException(instance + "'s mysqld (pid " + p + ") on " + h.name() + " survived SIGKILL for " + HOST_COMMAND.toSeconds() + " s");
    }

    /** Waits until the server has applied {@code gtids} (its SQL thread works through what its IO thread received). */
    public void awaitApplied(String instance, GtidSet gtids, Duration deadline) throws SQLException {
        try (Connection c = open(instance)) {
            Flavor f = flavor(c);
            if (f.parseGtid(Queries.string(c, f.gtidExecutedQuery())).contains(gtids)) return;
            int secs = (int) Math.max(1, Math.ceil(deadline.toMillis() / 1000.0));
            String r = Queries.string(c, f.waitForGtid(gtids, secs).sql());
            if (r == null || !r.strip().equals("0")) {
                throw new IllegalStateException(instance + " did not apply " + gtids.format() + " within " + secs + " s (" + r + ")");
            }
        }
    }

    /**
     * Brings {@code candidate} up to {@code survivor}'s transactions by replicating from it until it
     * has {@code gtids}, then stops its replication again (the promotion repoints it anyway).
     */
    public void fetchFrom(String candidate, String survivor, GtidSet gtids, Duration deadline) throws SQLException {
        try (Connection c = open(candidate)) {
            Flavor f = flavor(c);
            Queries.execute(c, f.stopReplica());
            Queries.execute(c, f.changeSource(source(survivor)));
            Queries.execute(c, f.startReplica());
        }
        try {
            awaitApplied(candidate, gtids, deadline);
        } finally {
            try (Connection c = open(candidate)) {
                Queries.execute(c, flavor(c).stopReplica());
            }
        }
    }

    /**
     * Makes {@code winner} a primary: replication stopped and forgotten, semi-sync as a source when
     * the group's durability asks for it (never falling back to acknowledging alone), writes open.
     */
    public void promote(String winner, boolean semiSync) throws SQLException {
        try (Connection c = open(winner)) {
            Flavor f = flavor(c);
            Queries.execute(c, f.stopReplica());
            Queries.execute(c, f.resetReplica());
            if (semiSync) Queries.execute(c, f.semiSyncSource());
            Queries.execute(c, f.unfence());
        }
    }

    private static void notSemiSyncSource(Connection c, Flavor f) throws SQLException {
        for (var st : f.notSemiSyncSource()) {
            try {
                Queries.execute(c, st);
            } catch (SQLException e) {
                if (e.getErrorCode() != 1193) throw e; // no semi-sync plugin here (unknown system variable)
            }
        }
    }

    /** How long one repoint statement may take: a recovery's last step must not hold the monitor for a minute. */
    static final java.time.Duration REPOINT_STATEMENT = java.time.Duration.ofSeconds(10);

    /**
     * Points a replica at the new primary by GTID auto-positioning and starts it. Each statement is
     * bounded ({@link #REPOINT_STATEMENT}); one that times out is tried once more on a fresh
     * connection (a STOP SLAVE that waited behind an IO thread stuck on the dead host has usually
     * finished by then). Seen in the failover benchmark: after a host carrying four primaries died,
     * one replica's STOP SLAVE did not return within 60 s.
     */
    public void repoint(String replica, String newPrimary) throws SQLException {
        try {
            repointOnce(replica, newPrimary);
        } catch (SQLException first) {
            try {
                repointOnce(replica, newPrimary);
            } catch (SQLException second) {
                second.addSuppressed(first);
                throw new SQLException("twice: " + first.getMessage().lines().findFirst().orElse("") + "; then " + second.getMessage().lines().findFirst().orElse(""), second);
            }
        }
    }

    private void repointOnce(String replica, String newPrimary) throws SQLException {
        ConnectionSettings bounded = new ConnectionSettings(ConnectionSettings.ADMIN.connectTimeout(), REPOINT_STATEMENT, false, false);
        try (Connection c = Connections.open(topology.instance(replica).endpoint(), admin, bounded)) {
            Flavor f = flavor(c);
            // first: a replica must not be a semi-sync source (its SQL thread's commits would wait for acknowledgements),
            // and turning it off releases commits already waiting, which STOP SLAVE would otherwise wait behind
            notSemiSyncSource(c, f);
            Queries.execute(c, f.stopReplica());
            Queries.execute(c, f.resumeFromOwnHistory());
            Queries.execute(c, f.changeSource(source(newPrimary)));
            Queries.execute(c, f.startReplica());
        }
    }

    /** MariaDB's {@code gtid_binlog_state}: the last GTID of every domain-server pair in its binary log. */
    public String binlogState(String instance) throws SQLException {
        try (Connection c = open(instance)) {
            return Queries.string(c, "SELECT @@GLOBAL.gtid_binlog_state");
        }
    }

    /** Where the server writes its binary log ({@code @@log_bin_basename}): what a salvage reads once mysqld is dead. */
    public String binlogBasename(String instance) throws SQLException {
        try (Connection c = open(instance)) {
            return Queries.string(c, "SELECT @@GLOBAL.log_bin_basename");
        }
    }

    /**
     * Replays salvaged transactions on a server that is not open for writes yet: MySQL's
     * super_read_only stops even shardkit's own session, so it is lifted for this session's work
     * (read_only stays on: the application still cannot write) and put back after.
     */
    public void applySalvage(String instance, List<String> statements) throws SQLException {
        try (Connection c = open(instance)) {
            Flavor f = flavor(c);
            boolean superReadOnly = false;
            try (var st = c.createStatement(); var rs = st.executeQuery(f.readOnlyQuery())) {
                rs.next();
                superReadOnly = rs.getBoolean(2);
            }
            if (superReadOnly) Queries.execute(c, "SET GLOBAL super_read_only = OFF");
            try (var st = c.createStatement()) {
                for (String sql : statements) st.execute(sql);
            } finally {
                if (superReadOnly) Queries.execute(c, "SET GLOBAL super_read_only = ON");
            }
        }
    }

    /** The executed GTIDs of a server. */
    public GtidSet executed(String instance) throws SQLException {
        try (Connection c = open(instance)) {
            Flavor f = flavor(c);
            return f.parseGtid(Queries.string(c, f.gtidExecutedQuery()));
        }
    }

    private ReplicationSource source(String instance) {
        Topology.Instance i = topology.instance(instance);
        return new ReplicationSource(i.ip(), i.port(), replication.user(), replication.password());
    }

    /** Runs statements on a server (tests and the switchover's freeze). */
    public void execute(String instance, List<Statement> statements) throws SQLException {
        try (Connection c = open(instance)) {
            Queries.execute(c, statements);
        }
    }
}
