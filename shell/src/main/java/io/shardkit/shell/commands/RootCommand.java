package io.shardkit.shell.commands;

import io.shardkit.shell.Context;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "shardkit", mixinStandardHelpOptions = true, scope = picocli.CommandLine.ScopeType.INHERIT, version = "shardkit 0.1.0",
        description = "Online shard merges and MHA-style failover for MySQL/MariaDB fleets.",
        subcommands = {SandboxCommand.class, TopologyCommand.class, MergeCommand.class, FailoverCommand.class, CatalogCommand.class, ScheduleCommand.class, AuditCommand.class, GateCommands.Assert.class, GateCommands.Wait.class, DaemonCommand.class, ShellCommand.class, RunCommand.class})
public final class RootCommand implements Runnable {
    private final Context ctx;

    RootCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Option(names = "--home", description = "State directory (default: $SHARDKIT_HOME or ~/.shardkit).", scope = picocli.CommandLine.ScopeType.INHERIT)
    void home(Path home) {
        ctx.home(home);
    }

    @Option(names = "--debug", description = "Also print library logs and stack traces here (they always go to <home>/logs/shardkit.log).",
            scope = picocli.CommandLine.ScopeType.INHERIT)
    void debug(boolean debug) {
        ctx.debug(debug);
    }

    @Option(names = "--catalog", description = "Catalog in a MySQL/MariaDB database (jdbc:mysql://host:port/db); default: embedded under --home.",
            scope = picocli.CommandLine.ScopeType.INHERIT)
    void catalogUrl(String url) {
        ctx.catalogUrl(url);
    }

    @Option(names = "--catalog-user", description = "User for --catalog; password from $SHARDKIT_CATALOG_PASSWORD or --catalog-option-file.",
            scope = picocli.CommandLine.ScopeType.INHERIT)
    void catalogUser(String user) {
        ctx.catalogUser(user);
    }

    @Option(names = "--catalog-option-file", description = "Option file holding the --catalog password in section [shardkit-catalog].",
            scope = picocli.CommandLine.ScopeType.INHERIT)
    void catalogOptionFile(Path file) {
        ctx.catalogOptionFile(file);
    }

    @Override
    public void run() {
        new ShellCommand(ctx).call();
    }
}
