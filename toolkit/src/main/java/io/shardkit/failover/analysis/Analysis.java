package io.shardkit.failover.analysis;

import java.time.Instant;
import java.util.List;

/**
 * The verdict on one group: a code and the evidence behind it, as lines a human reads and the
 * journal stores (strings, an enum and an instant: Jackson writes it as it stands). The first line
 * says why this code; the rest are the facts, one per witness.
 */
public record Analysis(String group, AnalysisCode code, Instant at, List<String> evidence) {

    public Analysis {
        evidence = List.copyOf(evidence);
    }

    public Action action() { return code.action(); }

    public boolean automatic() { return code.automatic(); }

    @Override
    public String toString() {
        return group + ": " + code + "\n  " + String.join("\n  ", evidence);
    }
}
