package io.shardkit.failover.election;

/**
 * A candidate that passed the filters, with what the comparator steps look at.
 *
 * @param behind        transactions the survivors hold between them that it lacks (its catch-up)
 * @param hostPrimaries primaries already on its host
 * @param zoneRank      0 when its zone is the one the policy prefers (or the policy prefers none), else 1
 * @param version       its release series; null when unknown
 */
record Scored(Candidate candidate, long behind, int hostPrimaries, int zoneRank, ServerVersion version) {

    String instance() { return candidate.instance(); }
}
