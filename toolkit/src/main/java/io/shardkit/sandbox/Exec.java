package io.shardkit.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs OS commands (ip, kill, cp, install-db) and turns failures into exceptions that quote the command. */
final class Exec {
    private Exec() {}

    record Result(int exit, String out) {}

    static Result run(List<String> cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new SandboxException("timed out: " + String.join(" ", cmd));
            }
            return new Result(p.exitValue(), out.strip());
        } catch (IOException e) {
            throw new SandboxException("cannot run " + cmd.getFirst() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted: " + String.join(" ", cmd));
        }
    }

    static String check(String... cmd) {
        Result r = run(List.of(cmd));
        if (r.exit() != 0) throw new SandboxException("command failed (exit " + r.exit() + "): " + String.join(" ", cmd) + (r.out().isEmpty() ? "" : ": " + r.out()));
        return r.out();
    }

    /** Runs and ignores failure: for idempotent cleanup of things that may already be gone. */
    static void quiet(String... cmd) {
        run(List.of(cmd));
    }

    static List<String> lines(String... cmd) {
        Result r = run(List.of(cmd));
        List<String> out = new ArrayList<>();
        if (r.exit() == 0) r.out().lines().map(String::strip).filter(s -> !s.isEmpty()).forEach(out::add);
        return out;
    }

    /** Starts a command and does not wait for it (arping lingers a second after sending its packet). */
    static void spawn(String... cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            pb.start();
        } catch (IOException e) {
            throw new SandboxException("cannot run " + cmd[0] + ": " + e.getMessage());
        }
    }

    static boolean available(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (new java.io.File(dir, program).canExecute()) return true;
        }
        return new java.io.File("/usr/sbin/" + program).canExecute() || new java.io.File("/sbin/" + program).canExecute();
    }
}
