package io.shardkit.mysql;

import static io.shardkit.mysql.SqlText.literal;

import java.util.List;
import java.util.Map;

/** MariaDB 10.x (10.5+ for the privileges and replica syntax used here); semi-sync is built in from 10.3. */
final class MariaDbFlavor implements Flavor {

    @Override public String name() { return "mariadb-10"; }

    @Override public FlavorFamily family() { return FlavorFamily.MARIADB; }

    // gtid_current_pos covers both what this server wrote itself and what it applied as a replica
    @Override public String gtidExecutedQuery() { return "SELECT @@GLOBAL.gtid_current_pos"; }

    // MariaDB always has GTIDs in its binlog; "ON" as long as binary logging is on
    @Override public String gtidModeQuery() { return "SELECT IF(@@GLOBAL.log_bin = 1, 'ON', 'OFF')"; }

    @Override public String replicaStatusQuery() { return "SHOW SLAVE STATUS"; }

    @Override
    public ReplicaStatus parseReplicaStatus(Map<String, Object> row) {
        return new ReplicaStatus(
                StatusRows.str(row, "Master_Host"),
                (int) StatusRows.num(row, "Master_Port"),
                ReplicaStatus.ThreadState.parse(StatusRows.str(row, "Slave_IO_Running")),
                ReplicaStatus.ThreadState.parse(StatusRows.str(row, "Slave_SQL_Running")),
                StatusRows.nullableNum(row, "Seconds_Behind_Master"),
                StatusRows.text(row, "Last_IO_Error"),
                StatusRows.text(row, "Last_SQL_Error"),
                MariaDbGtidSet.parse(StatusRows.text(row, "Gtid_IO_Pos")),
                StatusRows.text(row, "Master_Log_File"),
                StatusRows.num(row, "Read_Master_Log_Pos"),
                StatusRows.text(row, "Relay_Master_Log_File"),
                StatusRows.num(row, "Exec_Master_Log_Pos"));
    }

    @Override
    public List<Statement> changeSource(ReplicationSource s) {
        String head = "CHANGE MASTER TO MASTER_HOST=" + literal(s.host()) + ", MASTER_PORT=" + s.port()
                + ", MASTER_USER=" + literal(s.user()) + ", MASTER_PASSWORD=";
        String tail = ", MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1, MASTER_HEARTBEAT_PERIOD=1";
        return List.of(new Statement(head + literal(s.password().reveal()) + tail, head + "'****'" + tail));
    }

    @Override
    public String lastHeartbeatAgeQuery() {
        return "SELECT TIMESTAMPDIFF(MICROSECOND, NULLIF(VARIABLE_VALUE, ''), NOW(6)) FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'SLAVE_LAST_HEARTBEAT'";
    }

    @Override public Statement startReplica() { return Statement.of("START SLAVE"); }

    @Override public Statement stopReplica() { return Statement.of("STOP SLAVE"); }

    @Override public Statement resetReplica() { return Statement.of("RESET SLAVE ALL"); }

    @Override public List<Statement> resumeFromOwnHistory() { return List.of(Statement.of("SET GLOBAL gtid_slave_pos = @@GLOBAL.gtid_binlog_pos")); }

    @Override public List<Statement> fence() { return List.of(Statement.of("SET GLOBAL read_only = ON")); }

    @Override public List<Statement> unfence() { return List.of(Statement.of("SET GLOBAL read_only = OFF")); }

    @Override public String readOnlyQuery() { return "SELECT @@GLOBAL.read_only, 0"; }

    @Override
    public List<Statement> semiSyncSource() {
        return List.of(Statement.of("SET GLOBAL rpl_semi_sync_master_enabled = ON"), Statement.of("SET GLOBAL rpl_semi_sync_master_wait_no_slave = ON"),
                Statement.of("SET GLOBAL rpl_semi_sync_master_timeout = 4294967295"));
    }

    @Override
    public List<Statement> notSemiSyncSource() {
        return List.of(Statement.of("SET GLOBAL rpl_semi_sync_master_enabled = OFF"));
    }

    @Override
    public String semiSyncQuery() {
        return "SELECT VARIABLE_NAME, VARIABLE_VALUE FROM information_schema.GLOBAL_VARIABLES WHERE VARIABLE_NAME LIKE 'RPL_SEMI_SYNC%'"
                + " UNION ALL SELECT VARIABLE_NAME, VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME LIKE 'RPL_SEMI_SYNC%'";
    }

    @Override
    public SemiSync parseSemiSync(Map<String, String> v) {
        if (!v.containsKey("RPL_SEMI_SYNC_MASTER_ENABLED")) return SemiSync.UNAVAILABLE;
        return new SemiSync(true,
                StatusRows.on(v, "RPL_SEMI_SYNC_MASTER_ENABLED"),
                StatusRows.on(v, "RPL_SEMI_SYNC_SLAVE_ENABLED"),
                StatusRows.on(v, "RPL_SEMI_SYNC_MASTER_STATUS"),
                parseLong(v.get("RPL_SEMI_SYNC_MASTER_CLIENTS")));
    }

    @Override
    public Statement waitForGtid(GtidSet gtid, int timeoutSeconds) {
        return Statement.of("SELECT MASTER_GTID_WAIT(" + literal(gtid.format()) + ", " + timeoutSeconds + ")");
    }

    @Override
    public String listedPrivilege(String privilege) {
        return privilege.equals("REPLICATION CLIENT") ? "BINLOG MONITOR" : privilege;
    }

    @Override
    public Statement createUser(String user, Secret password) {
        String head = "CREATE USER IF NOT EXISTS " + literal(user) + "@'%' IDENTIFIED BY ";
        return new Statement(head + literal(password.reveal()), head + "'****'");
    }

    static long parseLong(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
