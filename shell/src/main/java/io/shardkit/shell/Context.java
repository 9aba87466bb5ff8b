package io.shardkit.shell;

import java.io.PrintWriter;
import java.nio.file.Path;

/** What every command gets: the writers to print to and the state directory. */
public final class Context {
    private final PrintWriter out;
    private final PrintWriter err;
    private Path home;

    public Context(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
        String env = System.getenv("SHARDKIT_HOME");
        this.home = env != null ? Path.of(env) : Path.of(System.getProperty("user.home"), ".shardkit");
    }

    public PrintWriter out() { return out; }

    public PrintWriter err() { return err; }

    public Path home() { return home; }

    public void home(Path home) { this.home = home; }
}
