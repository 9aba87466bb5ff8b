package io.shardkit.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlavorTest {

    @Test
    void picksFlavorFromVersion() {
        assertThat(Flavors.forVersion("10.11.19-MariaDB-0+deb12u1-log")).isSameAs(Flavors.MARIADB);
        assertThat(Flavors.forVersion("11.4.2-MariaDB")).isSameAs(Flavors.MARIADB);
        assertThat(Flavors.forVersion("8.0.15")).isSameAs(Flavors.MYSQL_80_LEGACY);
        assertThat(Flavors.forVersion("8.0.22")).isSameAs(Flavors.MYSQL_80_LEGACY);
        assertThat(Flavors.forVersion("8.0.23")).isSameAs(Flavors.MYSQL_80);
        assertThat(Flavors.forVersion("8.0.36-log")).isSameAs(Flavors.MYSQL_80);
        assertThat(Flavors.forVersion("8.4.3")).isSameAs(Flavors.MYSQL_84);
        assertThat(Flavors.forVersion("9.1.0")).isSameAs(Flavors.MYSQL_84);
        assertThatThrownBy(() -> Flavors.forVersion("5.7.44")).hasMessageContaining("not supported");
    }

    @Test
    void changeSourceUsesEachVersionsWordsAndHidesThePassword() {
        ReplicationSource src = new ReplicationSource("10.0.0.1", 3306, "repl", Secret.of("s3cr'et"));
        Statement maria = Flavors.MARIADB.changeSource(src).getFirst();
        assertThat(maria.sql()).startsWith("CHANGE MASTER TO MASTER_HOST='10.0.0.1'").contains("MASTER_PASSWORD='s3cr''et'").contains("MASTER_USE_GTID=slave_pos");
        Statement legacy = Flavors.MYSQL_80_LEGACY.changeSource(src).getFirst();
        assertThat(legacy.sql()).startsWith("CHANGE MASTER TO").contains("MASTER_AUTO_POSITION=1");
        Statement modern = Flavors.MYSQL_84.changeSource(src).getFirst();
        assertThat(modern.sql()).startsWith("CHANGE REPLICATION SOURCE TO SOURCE_HOST=").contains("SOURCE_AUTO_POSITION=1");
        for (Statement s : List.of(maria, legacy, modern)) {
            assertThat(s.toString()).doesNotContain("s3cr").contains("'****'");
            assertThat(s.shown()).doesNotContain("s3cr");
        }
    }

    @Test
    void replicaWordsPerVersion() {
        assertThat(Flavors.MYSQL_80_LEGACY.replicaStatusQuery()).isEqualTo("SHOW SLAVE STATUS");
        assertThat(Flavors.MYSQL_80.replicaStatusQuery()).isEqualTo("SHOW REPLICA STATUS");
        assertThat(Flavors.MYSQL_84.startReplica().sql()).isEqualTo("START REPLICA");
        assertThat(Flavors.MARIADB.resetReplica().sql()).isEqualTo("RESET SLAVE ALL");
        assertThat(Flavors.MYSQL_80.fence()).extracting(Statement::sql).containsExactly("SET GLOBAL super_read_only = ON");
        assertThat(Flavors.MARIADB.fence()).extracting(Statement::sql).containsExactly("SET GLOBAL read_only = ON");
        assertThat(Flavors.MYSQL_80.unfence()).extracting(Statement::sql).containsExactly("SET GLOBAL super_read_only = OFF", "SET GLOBAL read_only = OFF");
        // a frozen server refuses the application but takes shardkit's own writes (a rollback stream onto fenced sources)
        assertThat(Flavors.MYSQL_80.freezeWrites()).extracting(Statement::sql).containsExactly("SET GLOBAL read_only = ON", "SET GLOBAL super_read_only = OFF");
        assertThat(Flavors.MARIADB.freezeWrites()).extracting(Statement::sql).containsExactly("SET GLOBAL read_only = ON");
    }

    @Test
    void parsesLegacyAndModernReplicaStatus() {
        String uuid = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
        Map<String, Object> legacy = new HashMap<>(Map.of("Master_Host", "10.0.0.1", "Master_Port", 3306, "Slave_IO_Running", "Connecting",
                "Slave_SQL_Running", "Yes", "Last_IO_Error", "error connecting", "Retrieved_Gtid_Set", uuid + ":1-5"));
        legacy.put("Seconds_Behind_Master", null);
        ReplicaStatus l = Flavors.MYSQL_80_LEGACY.parseReplicaStatus(legacy);
        assertThat(l.sourceHost()).isEqualTo("10.0.0.1");
        assertThat(l.ioThread()).isEqualTo(ReplicaStatus.ThreadState.CONNECTING);
        assertThat(l.sqlThread()).isEqualTo(ReplicaStatus.ThreadState.RUNNING);
        assertThat(l.secondsBehind()).isNull();
        assertThat(l.healthy()).isFalse();
        assertThat(l.receivedGtid().format()).isEqualTo(uuid + ":1-5");

        Map<String, Object> modern = Map.of("Source_Host", "10.0.0.2", "Source_Port", "3307", "Replica_IO_Running", "Yes",
                "Replica_SQL_Running", "Yes", "Seconds_Behind_Source", "3");
        ReplicaStatus m = Flavors.MYSQL_84.parseReplicaStatus(modern);
        assertThat(m.sourcePort()).isEqualTo(3307);
        assertThat(m.secondsBehind()).isEqualTo(3L);
        assertThat(m.healthy()).isTrue();

        ReplicaStatus maria = Flavors.MARIADB.parseReplicaStatus(Map.of("Master_Host", "h", "Master_Port", "3306", "Slave_IO_Running", "Yes",
                "Slave_SQL_Running", "No", "Gtid_IO_Pos", "0-1-9", "Last_SQL_Error", "dup key"));
        assertThat(maria.receivedGtid()).isEqualTo(MariaDbGtidSet.parse("0-1-9"));
        assertThat(maria.lastSqlError()).isEqualTo("dup key");
        assertThat(maria.healthy()).isFalse();
    }

    @Test
    void semiSyncVariableNamesPerVersion() {
        SemiSync oldNames = Flavors.MYSQL_80_LEGACY.parseSemiSync(Map.of("rpl_semi_sync_master_enabled", "ON", "Rpl_semi_sync_master_status", "ON",
                "Rpl_semi_sync_master_clients", "2"));
        assertThat(oldNames).isEqualTo(new SemiSync(true, true, false, true, 2));
        SemiSync newNames = Flavors.MYSQL_84.parseSemiSync(Map.of("rpl_semi_sync_replica_enabled", "ON"));
        assertThat(newNames.replicaEnabled()).isTrue();
        assertThat(Flavors.MYSQL_80_LEGACY.parseSemiSync(Map.of())).isEqualTo(SemiSync.UNAVAILABLE);
        SemiSync maria = Flavors.MARIADB.parseSemiSync(Map.of("RPL_SEMI_SYNC_MASTER_ENABLED", "ON", "RPL_SEMI_SYNC_SLAVE_ENABLED", "ON",
                "RPL_SEMI_SYNC_MASTER_STATUS", "OFF"));
        assertThat(maria.describe()).isEqualTo("off(waiting)");
    }

    @Test
    void waitForGtidAndCreateUser() {
        assertThat(Flavors.MARIADB.waitForGtid(MariaDbGtidSet.parse("0-1-5"), 3).sql()).isEqualTo("SELECT MASTER_GTID_WAIT('0-1-5', 3)");
        assertThat(Flavors.MYSQL_80.waitForGtid(MySqlGtidSet.parse(""), 3).sql()).isEqualTo("SELECT WAIT_FOR_EXECUTED_GTID_SET('', 3)");
        Statement u = Flavors.MYSQL_80.createUser("app", Secret.of("pw"));
        assertThat(u.sql()).contains("mysql_native_password BY 'pw'");
        assertThat(u.toString()).doesNotContain("'pw'");
    }
}
