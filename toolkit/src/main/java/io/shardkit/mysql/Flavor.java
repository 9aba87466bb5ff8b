package io.shardkit.mysql;

import java.util.List;
import java.util.Map;

/**
 * Everything that differs between server versions: statements, status column names, variable names.
 * Callers never branch on the version themselves; they ask the flavor. Implementations are pure
 * (they build strings and parse rows) and are tested as such.
 */
public interface Flavor {

    /** Short name, e.g. {@code mariadb-10}, {@code mysql-8.0-legacy}, {@code mysql-8.4}. */
    String name();

    FlavorFamily family();

    /** Query returning one row with one column: the executed GTID set/position. */
    String gtidExecutedQuery();

    /** Query returning one row, one column: ON when GTID-based replication is possible. */
    String gtidModeQuery();

    String replicaStatusQuery();

    /** Translates one row of {@link #replicaStatusQuery()} (column name to value). */
    ReplicaStatus parseReplicaStatus(Map<String, Object> row);

    /** Statements that point this server at a source, using GTID auto-positioning. */
    List<Statement> changeSource(ReplicationSource source);

    Statement startReplica();

    Statement stopReplica();

    /** Forgets the replication channel entirely (the server becomes a standalone primary). */
    Statement resetReplica();

    /**
     * Run with replication stopped, before a member is pointed at a new source: where it resumes is
     * everything it has executed, its own writes as a former primary included (MariaDB keeps those
     * in gtid_binlog_pos only, and a replica resuming from gtid_slave_pos would ask for them again).
     */
    default List<Statement> resumeFromOwnHistory() {
        return List.of();
    }

    /** Makes the server refuse writes from every client, including administrative ones where possible. */
    List<Statement> fence();

    /**
     * Refuses application writes but still lets administrative sessions write (a cutover writes its
     * final marker after this, then fences). Both flavors: read_only.
     */
    default List<Statement> freezeWrites() {
        return List.of(Statement.of("SET GLOBAL read_only = ON"));
    }

    /**
     * Query whose first row's first two columns are the binlog file and position the next write
     * will go to. Both flavors up to MySQL 8.0 spell it the same; 8.4 renamed it.
     */
    default String binlogStatusQuery() {
        return "SHOW MASTER STATUS";
    }

    /** Opens the server for writes. */
    List<Statement> unfence();

    /** Query returning read_only and super_read_only (0 where the flavor has none) as two columns. */
    String readOnlyQuery();

    /**
     * Makes this server a semi-sync source that never falls back to acknowledging alone: the
     * timeout as long as the server takes, and it waits even with no replica connected. Under this
     * setting an isolated primary acknowledges nothing (the SEMI_SYNC durability policy).
     */
    List<Statement> semiSyncSource();

    /**
     * Undoes {@link #semiSyncSource} on a member that becomes a replica (a demoted or rejoining
     * primary): left on, with no fallback and no replica of its own, MariaDB made its SQL thread's
     * commits wait for acknowledgements that never come, and STOP SLAVE waited behind them.
     * Servers without the semi-sync plugin refuse these variables (error 1193): callers ignore that.
     */
    List<Statement> notSemiSyncSource();

    /** Query whose rows are (Variable_name, Value) pairs describing semi-sync settings and status. */
    String semiSyncQuery();

    /** Interprets {@link #semiSyncQuery()} rows. */
    SemiSync parseSemiSync(Map<String, String> variablesAndStatus);

    /**
     * Query returning one value: microseconds since this replica's IO thread last received a
     * heartbeat from its source (NULL when it never did). Runs in a session whose time_zone is
     * SYSTEM (MariaDB reports the heartbeat's time in the server's own zone). Heartbeats flow only
     * while the source is idle, so callers also watch the received position move.
     */
    String lastHeartbeatAgeQuery();

    /** A statement that blocks until the given GTIDs are applied or the timeout passes; returns 0 on success. */
    Statement waitForGtid(GtidSet gtid, int timeoutSeconds);

    /**
     * The name under which information_schema lists a privilege: MariaDB 10.5 renamed
     * REPLICATION CLIENT to BINLOG MONITOR; everything else reads the same.
     */
    default String listedPrivilege(String privilege) {
        return privilege;
    }

    /** Creates a user reachable from any address; the password shows as **** in logs. */
    Statement createUser(String user, Secret password);

    default GtidSet parseGtid(String text) {
        return GtidSet.parse(family(), text);
    }
}
