package io.shardkit.shell.commands;

import io.shardkit.catalog.Catalog;
import io.shardkit.shell.Context;
import io.shardkit.shell.ExitCodes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "catalog", description = "The control-plane catalog (plans, jobs, journal, audit).",
        subcommands = {CatalogCommand.Status.class})
public final class CatalogCommand {

    @Command(name = "status", description = "Open (and migrate) the catalog; print where it is and its schema version.")
    static final class Status implements Callable<Integer> {
        private final Context ctx;
        @ParentCommand CatalogCommand parent;

        Status(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() {
            try (Catalog c = ctx.openCatalog()) {
                ctx.out().println("catalog: " + c.description());
                ctx.out().println("schema version: " + c.schemaVersion());
            }
            return ExitCodes.OK;
        }
    }
}
