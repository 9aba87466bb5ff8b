package io.shardkit.merge;

import java.math.BigInteger;
import java.util.Locale;

/** Pure arithmetic of the offset strategy. */
final class OffsetMath {
    /** Room for each source to grow to this many times its current largest key while the merge runs. */
    static final long GROWTH = 4;

    private OffsetMath() {}

    /** The distance between two sources' ranges: a power of ten at least GROWTH x the largest key (min 1000). */
    static long stride(long largestKey) {
        long want = Math.max(1000, Math.multiplyExact(Math.max(1, largestKey), GROWTH));
        long p = 1;
        while (p < want) p = Math.multiplyExact(p, 10);
        return p;
    }

    /** Largest value an integer column type can hold. */
    static BigInteger maxValue(String columnType) {
        String t = columnType.toLowerCase(Locale.ROOT);
        boolean unsigned = t.contains("unsigned");
        int bits = t.startsWith("tinyint") ? 8 : t.startsWith("smallint") ? 16 : t.startsWith("mediumint") ? 24 : t.startsWith("bigint") ? 64 : 32;
        return BigInteger.TWO.pow(unsigned ? bits : bits - 1).subtract(BigInteger.ONE);
    }
}
