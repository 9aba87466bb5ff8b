package io.shardkit.shell;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.jline.reader.impl.DefaultParser;
import picocli.CommandLine;

/** A runbook file: one shardkit command per line (without the word "shardkit"), # starts a comment. */
public record Runbook(Path file, List<Step> steps) {

    /** One command and where it came from. */
    public record Step(int line, String text, List<String> args) {}

    public static Runbook read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read runbook " + file + " (" + e.getClass().getSimpleName() + ")");
        }
        DefaultParser parser = new DefaultParser();
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i).strip();
            if (text.isEmpty() || text.startsWith("#")) continue;
            List<String> words = new ArrayList<>(parser.parse(text, text.length()).words().stream().filter(w -> !w.isEmpty()).toList());
            if (!words.isEmpty() && words.getFirst().equals("shardkit")) words.removeFirst();
            steps.add(new Step(i + 1, text, List.copyOf(words)));
        }
        return new Runbook(file, List.copyOf(steps));
    }

    /** Parses every step without running any; returns "file:line: problem" for each bad one. */
    public List<String> validate(Supplier<CommandLine> commandLines) {
        List<String> problems = new ArrayList<>();
        for (Step s : steps) {
            if (s.args().isEmpty()) continue;
            String first = s.args().getFirst();
            if (first.equals("shell") || first.equals("run")) {
                problems.add(file + ":" + s.line() + ": '" + first + "' cannot be used inside a runbook");
                continue;
            }
            try {
                CommandLine.ParseResult r = commandLines.get().parseArgs(s.args().toArray(String[]::new));
                CommandLine last = r.asCommandLineList().getLast();
                if (last.getCommand() instanceof Runnable == false && !(last.getCommand() instanceof java.util.concurrent.Callable<?>)) {
                    problems.add(file + ":" + s.line() + ": '" + s.text() + "' is incomplete (subcommands: "
                            + String.join(", ", last.getSubcommands().keySet()) + ")");
                }
            } catch (CommandLine.ParameterException e) {
                problems.add(file + ":" + s.line() + ": " + e.getMessage());
            }
        }
        return problems;
    }
}
