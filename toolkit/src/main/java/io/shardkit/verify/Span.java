package io.shardkit.verify;

import java.util.ArrayList;
import java.util.List;

/**
 * A key range compared at once, in target key values: a segment of the first chunk-key column
 * ({@code segAfter} exclusive, {@code segAtMost} inclusive; null is open), narrowed by the bounds a
 * nibble found ({@code lower}, {@code upper}; null is the segment's own end). Segments let several
 * workers nibble the target at once; bounds carry their own inclusiveness because a nibble that
 * ends inside a run of equal chunk keys (a shard column beside the key) must stop before that run.
 */
record Span(Object segAfter, Object segAtMost, Bound lower, Bound upper) {
    record Bound(List<Object> key, boolean inclusive) {}

    static final Span ALL = new Span(null, null, null, null);

    Span from(Bound newLower) {
        return new Span(segAfter, segAtMost, newLower, null);
    }

    Span until(Bound newUpper) {
        return new Span(segAfter, segAtMost, lower, newUpper);
    }

    /** Parameters of {@link RowHashSql#where} for this side (target values shifted into its own keys). */
    List<Object> params(TableSpec t, Side side) {
        List<Object> out = new ArrayList<>();
        String first = t.chunkKey().getFirst();
        if (segAfter != null) out.add(side.bound(first, segAfter));
        if (segAtMost != null) out.add(side.bound(first, segAtMost));
        for (Bound b : java.util.Arrays.asList(lower, upper)) {
            if (b == null) continue;
            List<Object> own = new ArrayList<>();
            for (int i = 0; i < t.chunkKey().size(); i++) own.add(side.bound(t.chunkKey().get(i), b.key().get(i)));
            out.addAll(io.shardkit.mysql.KeyRange.params(own));
        }
        return out;
    }
}
