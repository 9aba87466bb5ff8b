package io.shardkit.failover.analysis;

import io.shardkit.mysql.ReplicaStatus.ThreadState;
import java.time.Duration;

/** What one replica's own view says about the primary. */
record Testimony(ReplicaView replica, Kind kind, String line) {

    enum Kind {
        /** Follows the primary and hears from it: proof the primary lives. */
        STREAMING,
        /** Follows the primary and cannot hear it. */
        LOST,
        /** Says nothing about the primary now. */
        NONE
    }

    static Testimony of(ReplicaView r, String primary, Duration silenceLimit) {
        String name = r.instance();
        if (!r.reachable()) return none(r, name + ": does not answer the manager (" + r.error() + ")");
        if (r.source() == null) return none(r, name + ": replicates from nobody");
        if (!r.source().equals(primary)) return none(r, name + ": replicates from " + r.source() + ", not from the primary " + primary);
        String sql = "SQL thread " + word(r.sql()) + (r.sqlError().isBlank() ? "" : " (" + r.sqlError() + ")");
        if (r.io() == ThreadState.CONNECTING) {
            return new Testimony(r, Kind.LOST, name + ": lost the primary: IO thread connecting" + (r.ioError().isBlank() ? "" : " (" + r.ioError() + ")") + "; " + sql);
        }
        if (r.io() == ThreadState.STOPPED) {
            // a stopped IO thread is not trying to reach the primary: it says nothing about it now (error 1236 even
            // proves the primary answered when it stopped)
            return none(r, name + ": IO thread stopped" + (r.ioError().isBlank() ? "" : " (" + r.ioError() + ")") + ": no testimony; " + sql);
        }
        if (r.sinceLastHeard() == null) {
            // unknown silence counts as streaming: a collector that cannot read heartbeats must not make a live primary look dead
            return new Testimony(r, Kind.STREAMING, name + ": IO thread running, silence unknown: counted as streaming; " + sql);
        }
        if (r.sinceLastHeard().compareTo(silenceLimit) > 0) {
            // the IO thread of a replica whose primary froze stays "running" until slave_net_timeout; the silence tells
            return new Testimony(r, Kind.LOST, name + ": lost the primary: IO thread running but nothing heard for " + secs(r.sinceLastHeard())
                    + " (limit " + secs(silenceLimit) + "); " + sql);
        }
        return new Testimony(r, Kind.STREAMING, name + ": streaming, last heard " + secs(r.sinceLastHeard()) + " ago; " + sql);
    }

    private static Testimony none(ReplicaView r, String line) {
        return new Testimony(r, Kind.NONE, line);
    }

    private static String word(ThreadState s) {
        return s.name().toLowerCase(java.util.Locale.ROOT);
    }

    static String secs(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
