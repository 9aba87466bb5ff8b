package io.shardkit.failover.election;

import java.util.Comparator;

/**
 * The comparator steps, in the order they decide (see {@link Election} for why this order). Each
 * compares two candidates that passed the filters, best first, and words its value for the journal.
 */
public enum Step {
    /** prefer, then neutral, then prefer-not. */
    PROMOTION_RULE(Comparator.comparingInt(s -> s.candidate().promotion().ordinal())) {
        @Override String value(Scored s) { return s.candidate().promotion().word(); }
    },
    /** The old primary's zone first, when the group's policy prefers it. */
    ZONE(Comparator.comparingInt(Scored::zoneRank)) {
        @Override String value(Scored s) { return "zone " + s.candidate().zone() + (s.zoneRank() == 0 ? "" : " (not the preferred zone)"); }
    },
    /** Fewer primaries already on its host: a host is a failure domain and a load. */
    HOST_LOAD(Comparator.comparingInt(Scored::hostPrimaries)) {
        @Override String value(Scored s) { return "host " + s.candidate().host() + " with " + s.hostPrimaries() + " primaries"; }
    },
    /** The lowest release series, since a newer series cannot serve replicas of an older one; unknown last. */
    VERSION(Comparator.comparing(Scored::version, Comparator.nullsLast(Comparator.naturalOrder()))) {
        @Override String value(Scored s) { return s.version() == null ? "version unknown" : "version " + s.version(); }
    },
    /** The fewest transactions to catch up: the most advanced, relay log included. */
    DATA(Comparator.comparingLong(Scored::behind)) {
        @Override String value(Scored s) { return s.behind() == 0 ? "holds every survivor's transactions" : s.behind() + " transactions to catch up"; }
    },
    /** A stable last resort, so the same picture always elects the same server. */
    NAME(Comparator.comparing(Scored::instance)) {
        @Override String value(Scored s) { return s.instance(); }
    };

    private final Comparator<Scored> order;

    Step(Comparator<Scored> order) {
        this.order = order;
    }

    abstract String value(Scored s);

    int compare(Scored a, Scored b) {
        return order.compare(a, b);
    }

    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }

    /** Every step in order: the election's one comparator. */
    static final Comparator<Scored> CHAIN = (a, b) -> {
        for (Step s : values()) {
            int c = s.compare(a, b);
            if (c != 0) return c;
        }
        return 0;
    };

    /** The first step that tells {@code loser} from {@code top}, or null when none does. */
    static Step separating(Scored loser, Scored top) {
        for (Step s : values()) if (s.compare(loser, top) != 0) return s;
        return null;
    }
}
