package io.shardkit.topology;

import java.util.Locale;

/** How willing the operator is to see a member become primary (MHA candidate_master / no_master, orchestrator promotion rules). */
public enum PromotionRule {
    PREFER, NEUTRAL, PREFER_NOT, MUST_NOT;

    public static PromotionRule parse(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
