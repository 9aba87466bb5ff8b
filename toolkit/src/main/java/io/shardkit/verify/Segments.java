package io.shardkit.verify;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Cuts an integer key line into segments that workers nibble side by side. Each interval where
 * rows lie (the target's keys, and each source's keys moved into target values) is cut into
 * {@code pieces} equal widths; the segments between consecutive cut points tile the whole line,
 * the first and last open-ended, so no row anywhere (a source row the target lacks, a row the
 * stream adds past the current maximum) falls outside every segment. Offset-merged keys sit in
 * islands far apart: cutting each island, not the span of all of them, keeps the work even.
 */
final class Segments {
    private Segments() {}

    record Interval(BigInteger low, BigInteger high) {}

    /** Segments as {@link Span}s (exclusive start, inclusive end, as target key values). */
    static List<Span> of(List<Interval> intervals, int pieces) {
        TreeSet<BigInteger> cuts = new TreeSet<>();
        for (Interval iv : intervals) {
            BigInteger width = iv.high().subtract(iv.low()).add(BigInteger.ONE);
            for (int i = 1; i < pieces; i++) {
                BigInteger cut = iv.low().subtract(BigInteger.ONE).add(width.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(pieces)));
                if (cut.compareTo(iv.low()) >= 0) cuts.add(cut); // an interval narrower than the pieces gets fewer cuts
            }
            cuts.add(iv.high());
        }
        List<Span> out = new ArrayList<>();
        Object previous = null;
        for (BigInteger c : cuts) {
            Object v = value(c);
            out.add(new Span(previous, v, null, null));
            previous = v;
        }
        out.add(new Span(previous, null, null, null));
        return out;
    }

    /** A long where it fits (what JDBC binds most plainly), else the BigInteger (BIGINT UNSIGNED). */
    private static Object value(BigInteger v) {
        return v.bitLength() < 64 ? (Object) v.longValueExact() : v;
    }
}
