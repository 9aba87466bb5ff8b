package io.shardkit.failover.election;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An election's outcome, as the journal records it.
 *
 * @param winner          empty when {@code blocked} says why nobody may be promoted
 * @param topSummary      the best candidate's value at each step (the winner's, when there is one); null
 *                        when nobody passed the filters
 * @param order           the candidates that passed the filters, best first
 * @param losses          per losing candidate, why: ranked lower (the first step that separated it from
 *                        the top) or filtered (every filter it failed); ranked ones first, in order
 * @param completeSources survivors that already hold everything a catch-up can bring: where the
 *                        winner catches up from (no catch-up when it is one of them)
 */
public record Ranking(String group, Optional<Candidate> winner, String topSummary, List<Candidate> order, Map<String, Loss> losses,
                      Optional<String> blocked, List<String> completeSources, List<String> notes) {

    public Ranking {
        order = List.copyOf(order);
        losses = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(losses));
        completeSources = List.copyOf(completeSources);
        notes = List.copyOf(notes);
    }

    public Loss lossOf(String instance) {
        return losses.get(instance);
    }

    /** Readable lines: the verdict, each loser and why, then the notes. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        if (winner.isPresent()) out.add("group " + group + ": elect " + topSummary);
        else out.add("group " + group + ": no winner: " + blocked.orElse("?") + (topSummary == null ? "" : " (best: " + topSummary + ")"));
        losses.forEach((instance, loss) -> out.add(instance + ": " + loss.describe()));
        notes.forEach(n -> out.add("note: " + n));
        return out;
    }
}
