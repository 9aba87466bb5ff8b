package io.shardkit.failover.election;

import io.shardkit.mysql.FlavorFamily;
import io.shardkit.mysql.GtidOrder;
import io.shardkit.mysql.GtidSet;
import java.util.ArrayList;
import java.util.List;

/**
 * What the surviving replicas hold between them and what a catch-up can bring to any candidate.
 *
 * <p>A survivor serves a catch-up when the manager reaches it, it is not in a cut-off zone, and it
 * holds no known errant transactions (unless forced: they would travel with the rest). It serves its
 * executed transactions, plus its relay log while its SQL thread can apply it. {@code target} is the
 * union of what they serve: every transaction in it is on a survivor that can hand it over, so any
 * candidate can be brought to it before promotion, and nothing outside it can be brought at all.
 *
 * @param sources    the survivors that serve, in the candidates' order
 * @param complete   the sources that already hold all of {@code target}: where a catch-up reads from
 * @param divergence pairs of sources each holding transactions the other lacks; from one primary's
 *                   stream replicas receive prefixes of one history, which are always ordered, so a
 *                   divergence means errant transactions on one side that nobody recorded
 */
record Pool(GtidSet target, List<String> sources, List<String> complete, List<String> divergence, List<String> notes) {

    static Pool of(List<Candidate> all, ElectionContext ctx, FlavorFamily family) {
        List<Candidate> survivors = all.stream().filter(c -> c.reachable() && c.family() == family).toList();
        List<Candidate> sources = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<String> unusable = new ArrayList<>();
        for (Candidate c : survivors) {
            if (ctx.cutOffZones().contains(c.zone())) unusable.add(c.instance() + " (zone " + c.zone() + " cut off)");
            else if (c.hasErrant() && !ctx.force()) unusable.add(c.instance() + " (errant transactions " + c.errant().format() + ")");
            else sources.add(c);
            if (c.sqlThreadError() != null && !c.executed().contains(c.available())) unusable.add(c.instance() + "'s relay log (SQL thread broken)");
        }
        if (sources.isEmpty()) {
            return new Pool(family == null ? null : GtidSet.empty(family), List.of(), List.of(), List.of(), List.of("no survivor can serve a catch-up"));
        }
        GtidSet target = sources.getFirst().servable();
        for (Candidate c : sources) target = target.union(c.servable());
        List<String> complete = new ArrayList<>();
        for (Candidate c : sources) if (c.servable().contains(target)) complete.add(c.instance());
        List<String> divergence = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            for (int j = i + 1; j < sources.size(); j++) {
                GtidSet a = sources.get(i).servable();
                GtidSet b = sources.get(j).servable();
                if (a.compare(b) == GtidOrder.DIVERGED) {
                    divergence.add(sources.get(i).instance() + " holds " + a.countMissingFrom(b) + " transactions " + sources.get(j).instance()
                            + " lacks (" + a.subtract(b).format() + ") and lacks " + b.countMissingFrom(a) + " it holds (" + b.subtract(a).format() + ")");
                }
            }
        }
        notes.add("survivors hold " + target.format() + " between them; catch-up sources: "
                + String.join(", ", sources.stream().map(Candidate::instance).toList())
                + (complete.isEmpty() ? "; none holds all of it alone" : "; complete: " + String.join(", ", complete)));
        GtidSet held = target;
        for (Candidate c : survivors) held = held.union(c.available());
        long left = held.countMissingFrom(target);
        if (left > 0) notes.add(left + " transactions are held only where catch-up cannot reach them: " + String.join(", ", unusable));
        return new Pool(target, sources.stream().map(Candidate::instance).toList(), complete, divergence, notes);
    }
}
