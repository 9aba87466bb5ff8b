package io.shardkit.failover.election;

import io.shardkit.failover.analysis.ReplicaView;
import io.shardkit.mysql.FlavorFamily;
import io.shardkit.mysql.GtidSet;
import io.shardkit.mysql.ReplicaStatus.ThreadState;
import io.shardkit.topology.PromotionRule;
import java.time.Duration;

/**
 * A surviving replica as the election sees it. When {@code reachable} is false only the placement
 * fields carry meaning.
 *
 * @param sqlThreadError why its SQL thread stopped, when it stopped on an error (it could not apply a
 *                       catch-up); null when the thread runs or was stopped cleanly
 * @param lag            how far behind the old primary its data was at the last measure (Seconds_Behind
 *                       or a heartbeat table while it followed; the time since it last heard from the
 *                       primary when its IO thread had stopped before the failure); null when unknown
 * @param received       what its IO thread received (relay log), applied or not; may be null
 * @param errant         transactions it holds that the old primary never had, as the last analysis that
 *                       saw the primary alive found them; empty when none are known
 */
public record Candidate(String instance, String host, String zone, PromotionRule promotion, boolean reachable, String sqlThreadError,
                        Duration lag, GtidSet executed, GtidSet received, GtidSet errant, String version) {

    public Candidate {
        if (instance == null || instance.isBlank()) throw new IllegalArgumentException("candidate without an instance name");
        if (promotion == null) promotion = PromotionRule.NEUTRAL;
        if (reachable && executed == null) throw new IllegalArgumentException("reachable candidate " + instance + " without its executed GTID set");
    }

    /** Everything it holds or will hold once its SQL thread applies its relay log: what catch-up ranks it by. */
    public GtidSet available() {
        return received == null || received.isEmpty() ? executed : executed.union(received);
    }

    /** What it can give a catch-up: its relay log counts only while its SQL thread can apply it. */
    GtidSet servable() {
        return sqlThreadError == null ? available() : executed;
    }

    public FlavorFamily family() {
        return executed == null ? null : executed.family();
    }

    public boolean hasErrant() {
        return errant != null && !errant.isEmpty();
    }

    /** A candidate from the analysis' view of a replica, with the errant set found while the primary lived. */
    public static Candidate of(ReplicaView r, GtidSet errant) {
        String sqlError = r.sql() == ThreadState.STOPPED && !r.sqlError().isBlank() ? r.sqlError() : null;
        return new Candidate(r.instance(), r.member().host(), r.member().zone(), r.member().promotion(), r.reachable(), sqlError, r.lag(),
                r.executed(), r.received(), errant, r.version());
    }

    public static Builder builder(String instance, String host, String zone) {
        return new Builder(instance, host, zone);
    }

    /** Starts from a reachable, neutral, healthy candidate with no lag; set what differs. */
    public static final class Builder {
        private final String instance;
        private final String host;
        private final String zone;
        private PromotionRule promotion = PromotionRule.NEUTRAL;
        private boolean reachable = true;
        private String sqlThreadError;
        private Duration lag = Duration.ZERO;
        private GtidSet executed;
        private GtidSet received;
        private GtidSet errant;
        private String version;

        private Builder(String instance, String host, String zone) {
            this.instance = instance;
            this.host = host;
            this.zone = zone;
        }

        public Builder promotion(PromotionRule p) { promotion = p; return this; }
        public Builder unreachable() { reachable = false; return this; }
        public Builder sqlThreadError(String e) { sqlThreadError = e; return this; }
        public Builder lag(Duration l) { lag = l; return this; }
        public Builder executed(GtidSet g) { executed = g; return this; }
        public Builder received(GtidSet g) { received = g; return this; }
        public Builder errant(GtidSet g) { errant = g; return this; }
        public Builder version(String v) { version = v; return this; }

        public Candidate build() {
            return new Candidate(instance, host, zone, promotion, reachable, sqlThreadError, lag, executed, received, errant, version);
        }
    }
}
