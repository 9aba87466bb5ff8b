package io.shardkit.endpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An operator's routing command: receives a JSON document describing the switch (old and new
 * writer endpoints) on its standard input and must exit 0 within its timeout. Its output is kept
 * for the operator (it must not print secrets; shardkit never gives it any).
 */
public final class EndpointHook {
    private final List<String> command;
    private final Duration timeout;

    public EndpointHook(List<String> command, Duration timeout) {
        if (command == null || command.isEmpty()) throw new IllegalArgumentException("an endpoint hook needs a command");
        this.command = List.copyOf(command);
        this.timeout = timeout;
    }

    /** Runs the hook; returns its output, or throws with the exit code and output when it fails or times out. */
    public String run(String json) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(json.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // a hook that does not read its input may close it early; its exit code decides
        }
        StringBuilder out = new StringBuilder();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the process went away
            }
        });
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException("endpoint hook " + command.getFirst() + " did not finish within " + timeout.toSeconds() + " s");
        }
        reader.join(1000);
        if (p.exitValue() != 0) throw new IOException("endpoint hook " + command.getFirst() + " exited " + p.exitValue() + ": " + out.toString().strip());
        return out.toString();
    }

    @Override
    public String toString() {
        return String.join(" ", command);
    }
}
