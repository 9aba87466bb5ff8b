package io.shardkit.shell;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jline.reader.impl.DefaultParser;
import picocli.CommandLine;

/**
 * A runbook: one shardkit command per line (without the word "shardkit"), # starts a comment.
 * {@code ${name}} is replaced by the variable given with {@code --var name=value};
 * {@code ${name:-default}} falls back to its default. The same text runs by hand ({@code run}), in
 * the interactive shell and as a schedule; every line is resolved and parsed before the first runs.
 */
public record Runbook(String origin, List<Step> steps, List<String> problems) {
    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_.-]*)(?::-([^}]*))?}");

    /** One command and where it came from. */
    public record Step(int line, String text, List<String> args) {}

    public static Runbook read(Path file, Map<String, String> vars) {
        try {
            return parse(file.toString(), Files.readString(file), vars);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read runbook " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** Resolves the variables of {@code text}; a line naming an unset variable without a default is a problem at its line. */
    public static Runbook parse(String origin, String text, Map<String, String> vars) {
        DefaultParser parser = new DefaultParser();
        List<Step> steps = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String raw = lines.get(i).strip();
            if (raw.isEmpty() || raw.startsWith("#")) continue;
            StringBuilder resolved = new StringBuilder();
            Matcher m = VAR.matcher(raw);
            while (m.find()) {
                String value = vars.get(m.group(1));
                if (value == null) value = m.group(2);
                if (value == null) {
                    problems.add(origin + ":" + (i + 1) + ": variable '" + m.group(1) + "' is not set (give --var " + m.group(1) + "=VALUE, or write ${"
                            + m.group(1) + ":-DEFAULT})");
                    value = "";
                }
                m.appendReplacement(resolved, Matcher.quoteReplacement(value));
            }
            m.appendTail(resolved);
            String line = resolved.toString();
            if (line.contains("${")) problems.add(origin + ":" + (i + 1) + ": unclosed or malformed variable in '" + raw + "'");
            List<String> words = new ArrayList<>(parser.parse(line, line.length()).words().stream().filter(w -> !w.isEmpty()).toList());
            if (!words.isEmpty() && words.getFirst().equals("shardkit")) words.removeFirst();
            steps.add(new Step(i + 1, line, List.copyOf(words)));
        }
        return new Runbook(origin, List.copyOf(steps), List.copyOf(problems));
    }

    /** Parses every step without running any; returns "origin:line: problem" for each bad one (unset variables first). */
    public List<String> validate(Supplier<CommandLine> commandLines) {
        List<String> out = new ArrayList<>(problems);
        for (Step s : steps) {
            if (s.args().isEmpty()) continue;
            String first = s.args().getFirst();
            if (first.equals("shell") || first.equals("run")) {
                out.add(origin + ":" + s.line() + ": '" + first + "' cannot be used inside a runbook");
                continue;
            }
            try {
                CommandLine.ParseResult r = commandLines.get().parseArgs(s.args().toArray(String[]::new));
                CommandLine last = r.asCommandLineList().getLast();
                if (last.getCommand() instanceof Runnable == false && !(last.getCommand() instanceof java.util.concurrent.Callable<?>)) {
                    out.add(origin + ":" + s.line() + ": '" + s.text() + "' is incomplete (subcommands: "
                            + String.join(", ", last.getSubcommands().keySet()) + ")");
                }
            } catch (CommandLine.ParameterException e) {
                out.add(origin + ":" + s.line() + ": " + e.getMessage());
            }
        }
        return out;
    }

    /** How a run ended: the failing line (0 when every line ran) and its exit code. */
    public record Outcome(int failedLine, int exitCode, String detail) {
        public boolean ok() {
            return failedLine == 0;
        }
    }

    /**
     * Runs the steps in order, each through a fresh command line of {@code commandLines}, until one
     * fails or {@code stop} says so (checked before every line). Call {@link #validate} first.
     */
    public Outcome execute(Supplier<CommandLine> commandLines, PrintWriter out, BooleanSupplier stop) {
        String name = origin.contains("/") ? origin.substring(origin.lastIndexOf('/') + 1) : origin;
        for (Step step : steps) {
            if (stop.getAsBoolean() || Thread.currentThread().isInterrupted()) {
                return new Outcome(step.line(), ExitCodes.FAILED, origin + ":" + step.line() + ": not run, the runbook was stopped before it");
            }
            out.println(name + ":" + step.line() + "> " + step.text());
            out.flush();
            long began = System.nanoTime();
            int code = commandLines.get().execute(step.args().toArray(String[]::new));
            out.printf("%s:%d %s in %.2f s%n", name, step.line(), code == 0 ? "done" : "failed", (System.nanoTime() - began) / 1e9);
            out.flush();
            if (code != 0) return new Outcome(step.line(), code, origin + ":" + step.line() + ": '" + step.text() + "' exited with " + code);
        }
        return new Outcome(0, ExitCodes.OK, steps.size() + " lines done");
    }

    /** {@code k=v} pairs as given with --var; a malformed one is refused by name. */
    public static Map<String, String> vars(List<String> pairs) {
        Map<String, String> out = new java.util.TreeMap<>();
        if (pairs == null) return out;
        for (String p : pairs) {
            int eq = p.indexOf('=');
            if (eq <= 0 || !p.substring(0, eq).matches("[A-Za-z_][A-Za-z0-9_.-]*")) {
                throw new IllegalArgumentException("--var " + p + ": expected NAME=VALUE (NAME: letters, digits, '_', '.', '-')");
            }
            String name = p.substring(0, eq);
            if (name.toLowerCase(java.util.Locale.ROOT).matches(".*(password|secret|token|passwd).*")) {
                throw new IllegalArgumentException("--var " + name + ": secrets do not go into variables (they would be stored and logged);"
                        + " give them through option files or the environment as the commands document");
            }
            out.put(name, p.substring(eq + 1));
        }
        return out;
    }
}
