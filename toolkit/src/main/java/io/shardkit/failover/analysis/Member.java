package io.shardkit.failover.analysis;

import io.shardkit.topology.PromotionRule;
import io.shardkit.topology.Topology;

/** Where a member of a group lives and how willing the operator is to see it promoted. */
public record Member(String instance, String host, String zone, PromotionRule promotion) {

    public Member {
        if (instance == null || instance.isBlank()) throw new IllegalArgumentException("member without an instance name");
        if (promotion == null) promotion = PromotionRule.NEUTRAL;
    }

    /** The member as the topology file places it. */
    public static Member of(Topology topology, Topology.Group group, String instance) {
        PromotionRule rule = group.members().stream().filter(m -> m.instance().equals(instance)).map(Topology.Member::promotion)
                .findFirst().orElseThrow(() -> new IllegalArgumentException(instance + " is not a member of group " + group.name()));
        Topology.Host host = topology.hostOf(instance);
        return new Member(instance, host.name(), host.zone(), rule);
    }
}
