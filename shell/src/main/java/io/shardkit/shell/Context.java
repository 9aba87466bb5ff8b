package io.shardkit.shell;

import io.shardkit.catalog.Catalog;
import io.shardkit.mysql.Credential;
import io.shardkit.mysql.CredentialRef;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * What every command gets: the writers to print to, the state directory, and the caller's
 * environment and working directory. In this process they are the process's own; a command the
 * daemon runs for a client gets the client's, so passwords named by {@code env:} references and
 * relative paths mean what they mean in the operator's terminal.
 */
public final class Context {
    private final PrintWriter out;
    private final PrintWriter err;
    private final Map<String, String> env;
    /** The client's working directory, or null for this process's own. */
    private final Path cwd;
    private Path home;
    private String catalogUrl;
    private String catalogUser;
    private Path catalogOptionFile;
    private boolean debug;
    /** Where commands run with this context come from, for the audit log: cli, shell, runbook FILE, schedule NAME, ... */
    private String origin = "cli";
    /** True in the interactive shell: --watch views redraw in place. */
    private boolean interactive;
    /** Standard output is a terminal (set by main): progress bars, see {@link #terminal()}. */
    private boolean terminal;
    /** Where an embedded catalog comes from when something keeps them open (the daemon); null: opened per command. */
    private java.util.function.Function<Path, Catalog> embeddedCatalogs;

    public Context(PrintWriter out, PrintWriter err) {
        this(out, err, System.getenv(), null);
    }

    public Context(PrintWriter out, PrintWriter err, Map<String, String> env, Path cwd) {
        this.out = out;
        this.err = err;
        this.env = Map.copyOf(env);
        this.cwd = cwd;
        String home = env.get("SHARDKIT_HOME");
        this.home = home != null ? path(home) : Path.of(System.getProperty("user.home"), ".shardkit");
    }

    /**
     * The same home, catalog and environment writing to other writers: a runbook run by a schedule
     * speaks to its run's log, with the settings of the daemon that runs it.
     */
    public Context derived(PrintWriter out, PrintWriter err) {
        Context c = new Context(out, err, env, cwd);
        c.home = home;
        c.catalogUrl = catalogUrl;
        c.catalogUser = catalogUser;
        c.catalogOptionFile = catalogOptionFile;
        c.embeddedCatalogs = embeddedCatalogs;
        c.debug = debug;
        c.origin = origin;
        // other writers (a schedule run's log): a terminal only if this one was and the writer is the same
        c.interactive = interactive && out == this.out;
        c.terminal = terminal && out == this.out;
        return c;
    }

    public String origin() { return origin; }

    public boolean interactive() { return interactive; }

    /** True when out() is a terminal: the interactive shell, or a command whose standard output is a tty. */
    public boolean terminal() { return interactive || terminal; }

    public Context terminal(boolean on) {
        this.terminal = on;
        return this;
    }

    public Context interactive(boolean on) {
        this.interactive = on;
        return this;
    }

    public Context origin(String origin) {
        this.origin = origin;
        return this;
    }

    /** Who runs the commands: the caller's user (from its environment) at this host. */
    public String actor() {
        String user = env.getOrDefault("USER", System.getProperty("user.name"));
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "localhost";
        }
        return user + "@" + host;
    }

    /** A variable of the caller's environment, or null. */
    public String env(String name) { return env.get(name); }

    /** A path as the caller typed it, relative to the caller's working directory. */
    public Path path(String text) {
        Path p = Path.of(text);
        return cwd == null || p.isAbsolute() ? p : cwd.resolve(p);
    }

    /** Reads a password from where the reference points, in the caller's environment. */
    public Credential resolve(CredentialRef ref) {
        return ref.resolve(env::get);
    }

    public PrintWriter out() { return out; }

    public PrintWriter err() { return err; }

    public Path home() { return home; }

    public void home(Path home) { this.home = home; }

    /** --debug: library logs and stack traces on the terminal too (they always go to the log file). */
    public boolean debug() { return debug; }

    public void debug(boolean debug) { this.debug = debug; }

    public void catalogUrl(String url) { this.catalogUrl = url; }

    /** The options that name this context's home and catalog, for a process started on its behalf. */
    public java.util.List<String> stateArgs() {
        java.util.List<String> out = new java.util.ArrayList<>(java.util.List.of("--home", home.toAbsolutePath().toString()));
        if (catalogUrl != null) out.addAll(java.util.List.of("--catalog", catalogUrl));
        if (catalogUser != null) out.addAll(java.util.List.of("--catalog-user", catalogUser));
        if (catalogOptionFile != null) out.addAll(java.util.List.of("--catalog-option-file", catalogOptionFile.toAbsolutePath().toString()));
        return out;
    }

    /** The caller's environment (a process started on its behalf gets it: passwords named by env: references). */
    public Map<String, String> environment() { return env; }

    public void catalogUser(String user) { this.catalogUser = user; }

    public void catalogOptionFile(Path file) { this.catalogOptionFile = file; }

    /** Embedded catalogs from here instead of opening one per command (each returned one is closed by its command). */
    public void embeddedCatalogs(java.util.function.Function<Path, Catalog> source) { this.embeddedCatalogs = source; }

    /** Opens the catalog: the embedded one under the state directory unless --catalog named a server. */
    public Catalog openCatalog() {
        if (catalogUrl == null) return embeddedCatalogs != null ? embeddedCatalogs.apply(home) : Catalog.embedded(home);
        if (catalogUser == null && catalogOptionFile == null) {
            throw new IllegalArgumentException("--catalog needs --catalog-user (password from $SHARDKIT_CATALOG_PASSWORD) or --catalog-option-file");
        }
        CredentialRef ref = catalogOptionFile != null
                ? CredentialRef.optionFile(catalogUser, catalogOptionFile, "shardkit-catalog")
                : CredentialRef.env(catalogUser, "SHARDKIT_CATALOG_PASSWORD");
        return Catalog.external(catalogUrl, resolve(ref));
    }
}
