package io.shardkit.failover.recovery;

import java.time.Instant;

/**
 * A recovery as the journal remembers it, for the anti-flap decision.
 *
 * @param eventId the event it belonged to: a dead host's groups share one, a group alone has its own
 * @param host    the failed primary's host
 * @param zone    the failed primary's zone
 */
public record PastRecovery(String id, String eventId, String group, String host, String zone, Instant at, Trigger trigger, boolean acknowledged) {

    public PastRecovery {
        if (eventId == null) eventId = id;
    }
}
