package io.shardkit.failover.election;

import io.shardkit.topology.ZonePolicy;
import io.shardkit.mysql.FlavorFamily;
import io.shardkit.mysql.GtidSet;
import io.shardkit.topology.PromotionRule;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Picks the new primary of a group: filters, then one comparator, pure.
 *
 * <p><b>Filters</b> (each rejection is kept with its facts): unreachable, GTID dialect of another
 * group, SQL thread stopped on an error, must-not, in a cut-off zone, outside the old primary's zone
 * when the group requires it, lag past {@link ElectionContext#maxLag()}, known errant transactions
 * (unless forced). {@link Filter} says who may override which.
 *
 * <p><b>Why data does not decide first.</b> Before promotion the winner catches up from the most
 * advanced survivor, so whoever wins ends up with every transaction a survivor can serve ({@link Pool}:
 * the union of what reachable survivors outside cut-off zones hold, relay logs included while their
 * SQL thread can apply them). Nothing outside that union can be recovered by electing anyone either:
 * a transaction only in a broken replica's relay log or only in a cut-off zone is out of every
 * candidate's reach. So "most advanced" measures how long the catch-up takes, not what survives, and
 * it must not beat the operator's promotion rules: a {@code prefer} replica that lags loses only past
 * the lag limit, and otherwise catches up first. The placement steps that last for the new primary's
 * whole life come before it; data then separates candidates that are equal on all of them.
 *
 * <p><b>The comparator</b>, first difference decides ({@link Step}):
 * <ol>
 * <li>promotion rule: prefer, neutral, prefer-not;</li>
 * <li>zone: the old primary's zone first under {@link ZonePolicy#SAME_ZONE_PREFERRED};</li>
 * <li>host load: fewer primaries already on the host, counting those placed earlier in the same
 *     dead-host event ({@link #rankInTurn});</li>
 * <li>version: the lowest release series (major.minor); a newer series cannot serve replicas of an
 *     older one, and within a series replication works both ways, so patch levels do not count;</li>
 * <li>data: fewest transactions to catch up, relay log included;</li>
 * <li>name, so one picture always elects the same server.</li>
 * </ol>
 *
 * <p><b>Divergence.</b> When two catch-up sources each hold transactions the other lacks, one of
 * them has errant transactions nobody recorded, and a catch-up would merge them into the new primary.
 * The election then names no winner unless forced, and says which sets diverged.
 */
public final class Election {

    private Election() {}

    /** One group's candidates and context within a dead-host event. */
    public record Ballot(List<Candidate> candidates, ElectionContext context) {}

    public static Ranking rank(List<Candidate> candidates, ElectionContext ctx) {
        requireDistinct(candidates);
        FlavorFamily family = groupFamily(candidates);
        Pool pool = Pool.of(candidates, ctx, family);
        List<Scored> scored = new ArrayList<>();
        Map<String, Loss> filtered = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>(pool.notes());
        for (Candidate c : candidates) {
            List<Rejection> r = rejections(c, ctx, family).stream().filter(x -> !x.filter().liftedBy(ctx.force(), false)).toList();
            if (!r.isEmpty()) {
                filtered.put(c.instance(), new Loss.Filtered(r));
                continue;
            }
            if (c.hasErrant()) notes.add(c.instance() + " competes with errant transactions " + c.errant().format() + " (forced)");
            if (c.lag() == null) notes.add(c.instance() + ": lag unknown, not filtered");
            scored.add(score(c, ctx, pool));
        }
        scored.sort(Step.CHAIN);
        String blocked = null;
        if (scored.isEmpty()) {
            blocked = "no candidate passed the filters";
        } else if (!pool.divergence().isEmpty()) {
            String pairs = String.join("; ", pool.divergence());
            if (!ctx.force()) blocked = "survivors diverged: " + pairs + ": one side holds errant transactions nobody recorded; inspect them, or force to merge both into the new primary";
            else notes.add("survivors diverged (forced, catch-up merges both): " + pairs);
        }
        Map<String, Loss> losses = new LinkedHashMap<>();
        if (!scored.isEmpty()) {
            Scored top = scored.getFirst();
            for (Scored s : scored.subList(1, scored.size())) {
                Step step = Step.separating(s, top);
                losses.put(s.instance(), new Loss.Outranked(step, step.value(s) + " vs " + top.instance() + "'s " + step.value(top)));
            }
        }
        losses.putAll(filtered);
        List<Candidate> order = scored.stream().map(Scored::candidate).toList();
        Optional<Candidate> winner = blocked == null ? Optional.of(order.getFirst()) : Optional.empty();
        String summary = scored.isEmpty() ? null : describe(scored.getFirst());
        return new Ranking(ctx.group(), winner, summary, order, losses, Optional.ofNullable(blocked), pool.complete(), notes);
    }

    /**
     * The groups of one dead-host event, in the given order, each election seeing the primaries the
     * earlier ones placed: two groups that lost their primary together do not both land on the one
     * host that looks best to each alone.
     */
    public static List<Ranking> rankInTurn(Map<String, Integer> primariesPerHost, List<Ballot> ballots) {
        Map<String, Integer> counts = new HashMap<>(primariesPerHost);
        List<Ranking> out = new ArrayList<>();
        for (Ballot b : ballots) {
            Ranking r = rank(b.candidates(), b.context().withPrimariesPerHost(counts));
            r.winner().ifPresent(w -> counts.merge(w.host(), 1, Integer::sum));
            out.add(r);
        }
        return out;
    }

    /**
     * Checks an instance the operator named ({@code --to}, a switchover target). Refused with every
     * reason unless all of them are lifted by force; unreachable, broken SQL thread, another dialect
     * or not a replica of the group are never lifted.
     */
    public static TargetCheck checkTarget(String to, List<Candidate> candidates, ElectionContext ctx) {
        Ranking automatic = rank(candidates, new ElectionContext(ctx.group(), ctx.oldPrimary(), ctx.oldPrimaryZone(), ctx.zonePolicy(),
                ctx.cutOffZones(), ctx.maxLag(), ctx.primariesPerHost(), false));
        Candidate target = candidates.stream().filter(c -> c.instance().equals(to)).findFirst().orElse(null);
        List<Rejection> all = new ArrayList<>();
        if (target == null) {
            all.add(new Rejection(Filter.NOT_A_CANDIDATE, to.equals(ctx.oldPrimary()) ? "it is the old primary"
                    : "not a replica of group " + ctx.group() + " (replicas: " + String.join(", ", candidates.stream().map(Candidate::instance).toList()) + ")"));
        } else {
            FlavorFamily family = groupFamily(candidates);
            all.addAll(rejections(target, ctx, family));
            Pool pool = Pool.of(candidates, ctx, family);
            if (target.reachable() && !pool.divergence().isEmpty()) all.add(new Rejection(Filter.DIVERGED, String.join("; ", pool.divergence())));
        }
        List<Rejection> refusals = all.stream().filter(r -> !r.filter().liftedBy(ctx.force(), true)).toList();
        List<Rejection> overridden = all.stream().filter(r -> r.filter().liftedBy(ctx.force(), true)).toList();
        return TargetCheck.of(to, refusals, overridden, automatic);
    }

    /** Every filter {@code c} fails, in checking order; an unreachable candidate fails only that one. */
    static List<Rejection> rejections(Candidate c, ElectionContext ctx, FlavorFamily family) {
        List<Rejection> out = new ArrayList<>();
        if (!c.reachable()) return List.of(new Rejection(Filter.UNREACHABLE, "does not answer the manager"));
        if (c.family() != family) {
            return List.of(new Rejection(Filter.DIALECT, "reports " + c.family() + " GTIDs, the group " + family + " ones"));
        }
        if (c.sqlThreadError() != null) out.add(new Rejection(Filter.SQL_THREAD_BROKEN, "SQL thread stopped on an error (" + c.sqlThreadError() + "): it cannot apply a catch-up"));
        if (c.promotion() == PromotionRule.MUST_NOT) out.add(new Rejection(Filter.MUST_NOT, "the topology says it must never be primary"));
        if (ctx.cutOffZones().contains(c.zone())) out.add(new Rejection(Filter.CUT_OFF_ZONE, "zone " + c.zone() + " is cut off from the rest"));
        if (ctx.zonePolicy() == ZonePolicy.SAME_ZONE_REQUIRED && !c.zone().equals(ctx.oldPrimaryZone())) {
            out.add(new Rejection(Filter.ZONE_POLICY, "zone " + c.zone() + ", and the group requires the old primary's zone " + ctx.oldPrimaryZone()));
        }
        if (c.lag() != null && c.lag().compareTo(ctx.maxLag()) > 0) {
            out.add(new Rejection(Filter.LAGGING, "lags " + c.lag().toSeconds() + " s (limit " + ctx.maxLag().toSeconds() + " s)"));
        }
        if (c.hasErrant()) {
            out.add(new Rejection(Filter.ERRANT, "holds " + c.errant().countMissingFrom(GtidSet.empty(family)) + " transactions the old primary never had ("
                    + c.errant().format() + "): promoting it would ship them to every replica"));
        }
        return out;
    }

    private static Scored score(Candidate c, ElectionContext ctx, Pool pool) {
        int zoneRank = ctx.zonePolicy() == ZonePolicy.SAME_ZONE_PREFERRED && !c.zone().equals(ctx.oldPrimaryZone()) ? 1 : 0;
        return new Scored(c, pool.target().countMissingFrom(c.available()), ctx.primariesOn(c.host()), zoneRank, ServerVersion.parse(c.version()));
    }

    private static String describe(Scored s) {
        List<String> parts = new ArrayList<>();
        for (Step step : Step.values()) if (step != Step.NAME) parts.add(step.value(s));
        return s.instance() + ": " + String.join(", ", parts);
    }

    /** The dialect most reachable candidates report (ties: the first met), so a stray of the other one is filtered, not fatal. */
    static FlavorFamily groupFamily(List<Candidate> candidates) {
        Map<FlavorFamily, Integer> counts = new EnumMap<>(FlavorFamily.class);
        FlavorFamily first = null;
        for (Candidate c : candidates) {
            if (!c.reachable()) continue;
            counts.merge(c.family(), 1, Integer::sum);
            if (first == null) first = c.family();
        }
        FlavorFamily best = first;
        for (var e : counts.entrySet()) if (e.getValue() > counts.getOrDefault(best, 0)) best = e.getKey();
        return best;
    }

    private static void requireDistinct(List<Candidate> candidates) {
        Set<String> seen = new HashSet<>();
        for (Candidate c : candidates) if (!seen.add(c.instance())) throw new IllegalArgumentException("candidate " + c.instance() + " listed twice");
    }
}
