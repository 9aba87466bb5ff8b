package io.shardkit.cutover;

import io.shardkit.endpoint.WriterIps;
import io.shardkit.topology.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The writer-IP endpoint action of a cutover and of its switch back, planned from the topology and
 * checked before anything freezes: every address has a host shardkit can run commands on, and the
 * server that takes an address already listens on it (else clients would be sent to a closed port).
 * Shared by {@link Cutover} (sources' addresses to the target's host) and the rollback's switch back
 * (each back to its source primary's host).
 */
public final class WriterIpMoves {
    /** A reason the action cannot run; nothing has changed when it is thrown. */
    public static final class NotPossible extends Exception {
        NotPossible(String message) {
            super("--move-writer-ips: " + message);
        }
    }

    private final List<WriterIps.Move> moves;
    private final List<WriterIps.Move> applied = new ArrayList<>();

    private WriterIpMoves(List<WriterIps.Move> moves) {
        this.moves = List.copyOf(moves);
    }

    /**
     * Each source group's writer IP, from the hosts of its members (its current primary's first: an
     * abort puts it back there) to the target primary's host.
     */
    public static WriterIpMoves toTarget(Topology t, List<String> sourceGroups, Map<String, String> primaries, String targetGroup) throws Exception {
        Topology.Instance target = t.instance(primaries.get(targetGroup));
        WriterIps.Host to = host(t, target.host(), targetGroup);
        List<WriterIps.Move> out = new ArrayList<>();
        for (String g : sourceGroups) {
            String ip = writerIp(t, g);
            List<WriterIps.Host> from = new ArrayList<>();
            from.add(host(t, t.instance(primaries.get(g)).host(), g));
            for (String m : t.group(g).instanceNames()) {
                WriterIps.Host h = host(t, t.instance(m).host(), g);
                if (!from.contains(h)) from.add(h);
            }
            mustListen(to, target, ip, g);
            out.add(new WriterIps.Move(ip, g, from, to));
        }
        return new WriterIpMoves(out);
    }

    /** Each source group's writer IP, from the target primary's host back to that group's primary's host. */
    public static WriterIpMoves backToSources(Topology t, List<String> sourceGroups, Map<String, String> primaries, String targetGroup) throws Exception {
        WriterIps.Host from = host(t, t.instance(primaries.get(targetGroup)).host(), targetGroup);
        List<WriterIps.Move> out = new ArrayList<>();
        for (String g : sourceGroups) {
            String ip = writerIp(t, g);
            Topology.Instance primary = t.instance(primaries.get(g));
            WriterIps.Host to = host(t, primary.host(), g);
            mustListen(to, primary, ip, g);
            out.add(new WriterIps.Move(ip, g, List.of(from), to));
        }
        return new WriterIpMoves(out);
    }

    public boolean isEmpty() {
        return moves.isEmpty();
    }

    /** The host the addresses go to (all moves of one action share it, or the first's). */
    public String destination() {
        return moves.isEmpty() ? "-" : moves.getFirst().to().name();
    }

    /** Moves every address (in parallel); on failure the caller calls {@link #undo}. */
    public String apply() throws Exception {
        applied.addAll(moves); // an undo moves all of them back: putting back one that never left is harmless
        WriterIps.applyAll(moves);
        return String.join(", ", moves.stream().map(m -> m.group() + " " + m.ip()).toList());
    }

    /** Puts back what {@link #apply} moved; returns what happened, for the timeline. */
    public String undo() {
        List<String> failed = new ArrayList<>();
        for (WriterIps.Move m : applied.reversed()) {
            try {
                WriterIps.undo(m);
            } catch (Exception e) {
                failed.add(m.ip() + " (" + e.getMessage() + ")");
            }
        }
        return failed.isEmpty() ? applied.size() + " back on their hosts" : "could not move back: " + String.join(", ", failed);
    }

    public boolean applied() {
        return !applied.isEmpty();
    }

    private static String writerIp(Topology t, String group) throws NotPossible {
        String ip = t.group(group).writerIp();
        if (ip == null) throw new NotPossible("group " + group + " has no writer IP in the topology");
        return ip;
    }

    private static void mustListen(WriterIps.Host on, Topology.Instance server, String ip, String group) throws Exception {
        if (!WriterIps.listening(on, ip, server.port())) {
            throw new NotPossible(server.name() + " does not listen on " + ip + ":" + server.port() + " (" + group
                    + "'s writer IP): add it to its bind_address (with net.ipv4.ip_nonlocal_bind=1 on " + on.name() + ") first");
        }
    }

    private static WriterIps.Host host(Topology t, String name, String group) throws NotPossible {
        Topology.Host h = t.hosts().get(name);
        if (h.access() == null) throw new NotPossible("host " + name + " (of group " + group + ") has no 'exec' in the topology, so shardkit cannot move addresses there");
        return new WriterIps.Host(name, h.access().exec(), h.access().device(), h.access().prefixLength());
    }
}
