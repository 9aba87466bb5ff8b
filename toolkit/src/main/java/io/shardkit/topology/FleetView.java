package io.shardkit.topology;

import io.shardkit.topology.InstanceState.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A snapshot of live states for a topology, with pure derivations per group. */
public record FleetView(Topology topology, Map<String, InstanceState> states) {

    public InstanceState state(String instance) {
        return states.get(instance);
    }

    public List<GroupView> groups() {
        return topology.groups().keySet().stream().map(this::group).toList();
    }

    public GroupView group(String name) {
        Topology.Group g = topology.group(name);
        List<InstanceState> members = g.instanceNames().stream().map(states::get).toList();
        return new GroupView(g, members, primaryOf(g, members));
    }

    /**
     * The primary as the group sees it: the writable member that replicates from nobody, else the
     * member the replicas point at (which is how a dead primary is still named), else the only
     * member of a group of one.
     */
    private Optional<String> primaryOf(Topology.Group g, List<InstanceState> members) {
        for (InstanceState s : members) if (s != null && s.role() == Role.PRIMARY) return Optional.of(s.instance());
        for (InstanceState s : members) {
            if (s == null || s.replica() == null) continue;
            for (String other : g.instanceNames()) {
                Topology.Instance i = topology.instance(other);
                if (!other.equals(s.instance()) && i.ip().equals(s.replica().sourceHost()) && i.port() == s.replica().sourcePort()) {
                    return Optional.of(other);
                }
            }
        }
        // a group of one that replicates from nobody: its member is the primary even when read-only (a merge source
        // frozen by a cutover); there is nobody else it could be
        if (members.size() == 1 && members.getFirst() != null && members.getFirst().reachable() && members.getFirst().replica() == null) {
            return Optional.of(members.getFirst().instance());
        }
        return Optional.empty();
    }

    /** Instances that did not answer the probe. */
    public List<String> unreachable() {
        List<String> out = new ArrayList<>();
        states.values().forEach(s -> { if (!s.reachable()) out.add(s.instance()); });
        return out;
    }

    /** Groups whose primary (as named by the group) is unreachable. */
    public List<String> groupsWithoutPrimary() {
        return groups().stream().filter(g -> g.health() == GroupView.Health.PRIMARY_UNREACHABLE || g.health() == GroupView.Health.NO_PRIMARY)
                .map(g -> g.group().name()).toList();
    }
}
