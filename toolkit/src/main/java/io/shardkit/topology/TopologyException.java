package io.shardkit.topology;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** A topology file that cannot be used; every problem names the file and line. */
public final class TopologyException extends RuntimeException {

    /** One problem at one place in the file. */
    public record Problem(Path file, int line, String message) {
        @Override public String toString() { return file + ":" + line + ": " + message; }
    }

    private final List<Problem> problems;

    public TopologyException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() { return problems; }
}
