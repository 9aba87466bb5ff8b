package io.shardkit.failover.election;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The verdict on an instance the operator named for promotion.
 *
 * @param refusals   what stops it (empty when allowed)
 * @param overridden what {@code --force} lifted, for the journal
 * @param automatic  what the election would have chosen unforced, to show next to the operator's choice
 */
public record TargetCheck(String instance, boolean allowed, List<Rejection> refusals, List<Rejection> overridden, Ranking automatic, String message) {

    static TargetCheck of(String instance, List<Rejection> refusals, List<Rejection> overridden, Ranking automatic) {
        String message;
        if (!refusals.isEmpty()) {
            boolean forceable = refusals.stream().noneMatch(r -> r.filter().force() == Filter.Force.NEVER);
            message = "refused: " + instance + ": " + refusals.stream()
                    .map(r -> r + (r.filter().force() == Filter.Force.NEVER ? " (cannot be forced)" : ""))
                    .collect(Collectors.joining("; ")) + (forceable ? "; --force promotes it anyway" : "");
        } else {
            message = "promote " + instance + (overridden.isEmpty() ? "" : ", forced past: " + overridden.stream().map(Rejection::toString).collect(Collectors.joining("; ")));
        }
        String auto = automatic.winner().map(Candidate::instance).orElse(null);
        if (auto != null && !auto.equals(instance)) message += " (the automatic election would pick " + auto + ")";
        return new TargetCheck(instance, refusals.isEmpty(), List.copyOf(refusals), List.copyOf(overridden), automatic, message);
    }
}
