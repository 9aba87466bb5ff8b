package io.shardkit.shell.commands;

import io.shardkit.shell.Context;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "shardkit", mixinStandardHelpOptions = true, version = "shardkit 0.1.0",
        description = "Online shard merges and MHA-style failover for MySQL/MariaDB fleets.",
        subcommands = {SandboxCommand.class, TopologyCommand.class, ShellCommand.class, RunCommand.class})
public final class RootCommand implements Runnable {
    private final Context ctx;

    RootCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Option(names = "--home", description = "State directory (default: $SHARDKIT_HOME or ~/.shardkit).", scope = picocli.CommandLine.ScopeType.INHERIT)
    void home(Path home) {
        ctx.home(home);
    }

    @Override
    public void run() {
        new ShellCommand(ctx).call();
    }
}
