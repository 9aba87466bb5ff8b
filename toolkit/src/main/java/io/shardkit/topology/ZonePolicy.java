package io.shardkit.topology;

import java.util.Locale;

/** Where a group's new primary may go relative to the old one's zone. */
public enum ZonePolicy {
    /** Only the old primary's zone (applications pinned to it); no candidate there, no failover. */
    SAME_ZONE_REQUIRED,
    /** The old primary's zone first, another zone when nobody there qualifies. */
    SAME_ZONE_PREFERRED,
    /** Any zone, no preference. */
    ANY_ZONE;

    public static ZonePolicy parse(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
