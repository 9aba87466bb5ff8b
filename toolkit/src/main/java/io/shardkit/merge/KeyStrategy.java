package io.shardkit.merge;

import java.util.Locale;

/** How rows of different sources that share a key value are kept apart in the target. */
public enum KeyStrategy {
    /** Any key value present in two sources fails the plan (the default: nothing is rewritten). */
    REJECT,
    /** A per-source offset is added to an integer key (and the columns declared as referencing it). */
    OFFSET,
    /** The target table gets a column naming the source shard, part of every primary and unique key. */
    SHARD_COLUMN;

    public static KeyStrategy parse(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
