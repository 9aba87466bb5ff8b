package io.shardkit.merge;

import java.util.List;
import java.util.stream.Collectors;

/** A plan that cannot be made; nothing was changed anywhere. */
public final class PlanException extends RuntimeException {
    private final List<PlanProblem> problems;
    private final transient Plan partial;

    public PlanException(List<PlanProblem> problems, Plan partial) {
        super("merge plan refused:\n" + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
        this.partial = partial;
    }

    public List<PlanProblem> problems() { return problems; }

    /** What was learned before the plan was refused (collision counts and examples), may be null. */
    public Plan partial() { return partial; }
}
