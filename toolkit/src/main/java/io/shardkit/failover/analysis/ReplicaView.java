package io.shardkit.failover.analysis;

import io.shardkit.mysql.GtidSet;
import io.shardkit.mysql.ReplicaStatus;
import io.shardkit.mysql.ReplicaStatus.ThreadState;
import io.shardkit.topology.InstanceState;
import java.time.Duration;

/**
 * A non-primary member of the group as the manager read it: its own view of replication. When
 * {@code reachable} is false only {@code member} and {@code error} carry meaning.
 *
 * @param source         the member it replicates from, by instance name (the collector resolves the
 *                       address it reports, the writer IP included); the raw address when that is no
 *                       member; null when it replicates from nobody
 * @param sinceLastHeard time since its IO thread last received anything from its source, event or
 *                       heartbeat (MySQL: replication_connection_status; MariaDB: Slave_last_heartbeat
 *                       and the last event); null when unknown
 * @param lag            apply lag as the server reports it (Seconds_Behind); null when it reports NULL
 * @param received       what its IO thread received (Retrieved_Gtid_Set / Gtid_IO_Pos); may be null
 * @param writable       read_only and super_read_only both off
 */
public record ReplicaView(Member member, boolean reachable, String error, String source, ThreadState io, ThreadState sql,
                          String ioError, String sqlError, Duration sinceLastHeard, Duration lag, GtidSet executed, GtidSet received,
                          boolean writable, String version) {

    public ReplicaView {
        if (member == null) throw new IllegalArgumentException("replica view without a member");
        if (io == null) io = ThreadState.STOPPED;
        if (sql == null) sql = ThreadState.STOPPED;
        ioError = ioError == null ? "" : ioError;
        sqlError = sqlError == null ? "" : sqlError;
    }

    public String instance() { return member.instance(); }

    /** The same view with {@code lag} as its apply lag. */
    public ReplicaView withLag(Duration l) {
        return new ReplicaView(member, reachable, error, source, io, sql, ioError, sqlError, sinceLastHeard, l, executed, received, writable, version);
    }

    public static ReplicaView unreachable(Member member, String error) {
        return new ReplicaView(member, false, error, null, null, null, null, null, null, null, null, null, false, null);
    }

    /**
     * From what {@link io.shardkit.topology.Discovery} read, plus the two things it does not: the
     * source resolved to a member name, and the silence since the source was last heard.
     */
    public static ReplicaView from(Member member, InstanceState s, String source, Duration sinceLastHeard) {
        if (!s.reachable()) return unreachable(member, s.error());
        ReplicaStatus r = s.replica();
        Builder b = builder(member).executed(s.gtidExecuted()).writable(s.writable()).version(s.version());
        if (r == null) return b.build();
        return b.source(source).io(r.ioThread(), r.lastIoError()).sql(r.sqlThread(), r.lastSqlError())
                .heard(sinceLastHeard).lag(r.secondsBehind() == null ? null : Duration.ofSeconds(r.secondsBehind()))
                .received(r.receivedGtid()).build();
    }

    public static Builder builder(Member member) {
        return new Builder(member);
    }

    /** Starts from a reachable, read-only member that replicates from nobody; set what differs. */
    public static final class Builder {
        private final Member member;
        private String source;
        private ThreadState io = ThreadState.STOPPED;
        private ThreadState sql = ThreadState.STOPPED;
        private String ioError;
        private String sqlError;
        private Duration heard;
        private Duration lag;
        private GtidSet executed;
        private GtidSet received;
        private boolean writable;
        private String version;

        private Builder(Member member) { this.member = member; }

        public Builder source(String s) { source = s; return this; }
        public Builder io(ThreadState s, String error) { io = s; ioError = error; return this; }
        public Builder sql(ThreadState s, String error) { sql = s; sqlError = error; return this; }
        public Builder heard(Duration ago) { heard = ago; return this; }
        public Builder lag(Duration l) { lag = l; return this; }
        public Builder executed(GtidSet g) { executed = g; return this; }
        public Builder received(GtidSet g) { received = g; return this; }
        public Builder writable(boolean w) { writable = w; return this; }
        public Builder version(String v) { version = v; return this; }

        /** Both threads running from {@code from}, last heard {@code ago}. */
        public Builder streaming(String from, Duration ago) {
            return source(from).io(ThreadState.RUNNING, null).sql(ThreadState.RUNNING, null).heard(ago);
        }

        public ReplicaView build() {
            return new ReplicaView(member, true, null, source, io, sql, ioError, sqlError, heard, lag, executed, received, writable, version);
        }
    }
}
