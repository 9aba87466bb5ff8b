package io.shardkit.mysql;

/**
 * What a replica reports about its replication channel, already translated out of the flavor's
 * column names (Slave_IO_Running vs Replica_IO_Running, Master_Host vs Source_Host, ...).
 *
 * @param secondsBehind null when the server reports NULL (SQL thread stopped or IO never connected)
 * @param receivedGtid  GTIDs received by the IO thread (MySQL Retrieved_Gtid_Set, MariaDB Gtid_IO_Pos)
 */
public record ReplicaStatus(
        String sourceHost,
        int sourcePort,
        ThreadState ioThread,
        ThreadState sqlThread,
        Long secondsBehind,
        String lastIoError,
        String lastSqlError,
        GtidSet receivedGtid,
        String sourceLogFile,
        long readSourceLogPos,
        String relaySourceLogFile,
        long execSourceLogPos) {

    /** Replication thread state as the server words it (Yes / No / Connecting). */
    public enum ThreadState {
        RUNNING, CONNECTING, STOPPED;

        public static ThreadState parse(String v) {
            if (v == null) return STOPPED;
            return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "yes" -> RUNNING;
                case "connecting", "preparing" -> CONNECTING;
                default -> STOPPED;
            };
        }
    }

    public boolean healthy() {
        return ioThread == ThreadState.RUNNING && sqlThread == ThreadState.RUNNING;
    }
}
