package io.shardkit.mysql;

import static io.shardkit.mysql.SqlText.literal;

import java.util.List;
import java.util.Map;

/**
 * MySQL 8.x in three syntaxes: before 8.0.23 only CHANGE MASTER / SHOW SLAVE STATUS exist; from
 * 8.0.23 both exist (we use the new words); 8.4 removed the old words and the semisync_master names.
 */
final class MySqlFlavor implements Flavor {

    /** Which generation of replication vocabulary the server speaks. */
    enum Syntax { LEGACY, MODERN, ONLY_MODERN }

    private final Syntax syntax;

    MySqlFlavor(Syntax syntax) {
        this.syntax = syntax;
    }

    @Override
    public String name() {
        return switch (syntax) {
            case LEGACY -> "mysql-8.0-legacy";
            case MODERN -> "mysql-8.0";
            case ONLY_MODERN -> "mysql-8.4";
        };
    }

    @Override public FlavorFamily family() { return FlavorFamily.MYSQL; }

    @Override public String gtidExecutedQuery() { return "SELECT @@GLOBAL.gtid_executed"; }

    @Override public String gtidModeQuery() { return "SELECT @@GLOBAL.gtid_mode"; }

    private boolean legacy() { return syntax == Syntax.LEGACY; }

    @Override public String replicaStatusQuery() { return legacy() ? "SHOW SLAVE STATUS" : "SHOW REPLICA STATUS"; }

    @Override
    public ReplicaStatus parseReplicaStatus(Map<String, Object> row) {
        String src = legacy() ? "Master" : "Source";
        String rep = legacy() ? "Slave" : "Replica";
        return new ReplicaStatus(
                StatusRows.str(row, src + "_Host"),
                (int) StatusRows.num(row, src + "_Port"),
                ReplicaStatus.ThreadState.parse(StatusRows.str(row, rep + "_IO_Running")),
                ReplicaStatus.ThreadState.parse(StatusRows.str(row, rep + "_SQL_Running")),
                StatusRows.nullableNum(row, "Seconds_Behind_" + src),
                StatusRows.text(row, "Last_IO_Error"),
                StatusRows.text(row, "Last_SQL_Error"),
                MySqlGtidSet.parse(StatusRows.text(row, "Retrieved_Gtid_Set")),
                StatusRows.text(row, src + "_Log_File"),
                StatusRows.num(row, "Read_" + src + "_Log_Pos"),
                StatusRows.text(row, "Relay_" + src + "_Log_File"),
                StatusRows.num(row, "Exec_" + src + "_Log_Pos"));
    }

    @Override
    public List<Statement> changeSource(ReplicationSource s) {
        String p = legacy() ? "MASTER" : "SOURCE";
        String head = (legacy() ? "CHANGE MASTER TO " : "CHANGE REPLICATION SOURCE TO ")
                + p + "_HOST=" + literal(s.host()) + ", " + p + "_PORT=" + s.port()
                + ", " + p + "_USER=" + literal(s.user()) + ", " + p + "_PASSWORD=";
        String tail = ", " + p + "_AUTO_POSITION=1, " + p + "_CONNECT_RETRY=1, " + p + "_HEARTBEAT_PERIOD=1";
        return List.of(new Statement(head + literal(s.password().reveal()) + tail, head + "'****'" + tail));
    }

    @Override public Statement startReplica() { return Statement.of(legacy() ? "START SLAVE" : "START REPLICA"); }

    @Override public Statement stopReplica() { return Statement.of(legacy() ? "STOP SLAVE" : "STOP REPLICA"); }

    @Override public Statement resetReplica() { return Statement.of(legacy() ? "RESET SLAVE ALL" : "RESET REPLICA ALL"); }

    // super_read_only also stops SUPER sessions, and setting it implies read_only
    // performance_schema's replication tables (off in some fleets: the caller then knows nothing, and says so)
    @Override
    public String lastHeartbeatAgeQuery() {
        return "SELECT TIMESTAMPDIFF(MICROSECOND, NULLIF(LAST_HEARTBEAT_TIMESTAMP, '0000-00-00 00:00:00'), NOW(6)) FROM performance_schema.replication_connection_status";
    }

    @Override public List<Statement> fence() { return List.of(Statement.of("SET GLOBAL super_read_only = ON")); }

    /** read_only for applications; super_read_only off, so a fenced server takes shardkit's own writes again (a rollback stream). */
    @Override
    public List<Statement> freezeWrites() {
        return List.of(Statement.of("SET GLOBAL read_only = ON"), Statement.of("SET GLOBAL super_read_only = OFF"));
    }

    @Override
    public List<Statement> unfence() {
        return List.of(Statement.of("SET GLOBAL super_read_only = OFF"), Statement.of("SET GLOBAL read_only = OFF"));
    }

    @Override public String readOnlyQuery() { return "SELECT @@GLOBAL.read_only, @@GLOBAL.super_read_only"; }

    // the plugin's variables: rpl_semi_sync_master_* up to 8.0.25, rpl_semi_sync_source_* after (and only them in 8.4)
    @Override
    public List<Statement> semiSyncSource() {
        String p = legacy() ? "rpl_semi_sync_master" : "rpl_semi_sync_source";
        return List.of(Statement.of("SET GLOBAL " + p + "_enabled = ON"), Statement.of("SET GLOBAL " + p + "_wait_no_" + (legacy() ? "slave" : "replica") + " = ON"),
                Statement.of("SET GLOBAL " + p + "_timeout = 4294967295"));
    }

    @Override
    public List<Statement> notSemiSyncSource() {
        return List.of(Statement.of("SET GLOBAL " + (legacy() ? "rpl_semi_sync_master" : "rpl_semi_sync_source") + "_enabled = OFF"));
    }

    @Override
    public String semiSyncQuery() {
        return "SELECT VARIABLE_NAME, VARIABLE_VALUE FROM performance_schema.global_variables WHERE VARIABLE_NAME LIKE 'rpl_semi_sync%'"
                + " UNION ALL SELECT VARIABLE_NAME, VARIABLE_VALUE FROM performance_schema.global_status WHERE VARIABLE_NAME LIKE 'Rpl_semi_sync%'";
    }

    @Override
    public SemiSync parseSemiSync(Map<String, String> raw) {
        Map<String, String> v = new java.util.HashMap<>();
        raw.forEach((k, val) -> v.put(k.toUpperCase(java.util.Locale.ROOT), val));
        // 8.0.26 renamed the plugin (semisync_source); 8.4 keeps only the new names
        String src = v.containsKey("RPL_SEMI_SYNC_SOURCE_ENABLED") ? "SOURCE" : "MASTER";
        String rep = v.containsKey("RPL_SEMI_SYNC_REPLICA_ENABLED") ? "REPLICA" : "SLAVE";
        if (!v.containsKey("RPL_SEMI_SYNC_" + src + "_ENABLED") && !v.containsKey("RPL_SEMI_SYNC_" + rep + "_ENABLED")) {
            return SemiSync.UNAVAILABLE;
        }
        return new SemiSync(true,
                StatusRows.on(v, "RPL_SEMI_SYNC_" + src + "_ENABLED"),
                StatusRows.on(v, "RPL_SEMI_SYNC_" + rep + "_ENABLED"),
                StatusRows.on(v, "RPL_SEMI_SYNC_" + src + "_STATUS"),
                MariaDbFlavor.parseLong(v.get("RPL_SEMI_SYNC_" + src + "_CLIENTS")));
    }

    @Override
    public Statement waitForGtid(GtidSet gtid, int timeoutSeconds) {
        return Statement.of("SELECT WAIT_FOR_EXECUTED_GTID_SET(" + literal(gtid.format()) + ", " + timeoutSeconds + ")");
    }

    // mysql_native_password keeps replication and old clients working without TLS or RSA key exchange
    @Override
    public Statement createUser(String user, Secret password) {
        String head = "CREATE USER IF NOT EXISTS " + literal(user) + "@'%' IDENTIFIED WITH mysql_native_password BY ";
        return new Statement(head + literal(password.reveal()), head + "'****'");
    }
}
