package io.shardkit.failover.election;

import java.util.List;
import java.util.stream.Collectors;

/** Why a candidate did not win: for the journal, next to the winner. */
public sealed interface Loss permits Loss.Filtered, Loss.Outranked {

    String describe();

    /** It could not compete: every filter it failed. */
    record Filtered(List<Rejection> rejections) implements Loss {
        public Filtered {
            rejections = List.copyOf(rejections);
        }

        /** The first filter it failed, in checking order. */
        public Filter filter() {
            return rejections.getFirst().filter();
        }

        @Override
        public String describe() {
            return "filtered: " + rejections.stream().map(Rejection::toString).collect(Collectors.joining("; "));
        }
    }

    /** It competed and the first comparator step that separated it from the top candidate went the other way. */
    record Outranked(Step step, String detail) implements Loss {
        @Override
        public String describe() {
            return "ranked lower at " + step.word() + ": " + detail;
        }
    }
}
