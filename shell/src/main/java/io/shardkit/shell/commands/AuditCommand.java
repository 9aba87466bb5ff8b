package io.shardkit.shell.commands;

import io.shardkit.catalog.Catalog;
import io.shardkit.shell.Context;
import io.shardkit.shell.ExitCodes;
import io.shardkit.shell.render.Table;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "audit", description = "The audit log: every command that changed something, who ran it, from where, and how it ended.",
        subcommands = {AuditCommand.ListCmd.class})
public final class AuditCommand {

    @Command(name = "list", description = "Newest first.")
    static final class ListCmd implements Callable<Integer> {
        private final Context ctx;
        @Option(names = "--since", paramLabel = "WHEN", description = "A duration back from now (90m, 2h, 7d) or an instant (2026-12-02T10:00:00Z).") String since;
        @Option(names = "--limit", defaultValue = "50", description = "At most this many (default: ${DEFAULT-VALUE}).") int limit;

        ListCmd(Context ctx) { this.ctx = ctx; }

        @Override
        public Integer call() {
            Instant from = since == null ? null : since(since);
            try (Catalog c = ctx.openCatalog()) {
                Table t = new Table("ID", "WHEN", "WHO", "FROM", "COMMAND", "OUTCOME", "DETAIL");
                for (Catalog.AuditEntry e : c.auditSince(from, limit)) t.row(e.id(), e.at(), e.actor(), e.origin(), e.command(), e.outcome(), e.detail());
                t.print(ctx.out(), "");
            }
            return ExitCodes.OK;
        }

        private static Instant since(String text) {
            if (text.endsWith("d") && text.substring(0, text.length() - 1).matches("\\d+")) {
                return Instant.now().minus(java.time.Duration.ofDays(Long.parseLong(text.substring(0, text.length() - 1))));
            }
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException notAnInstant) {
                return Instant.now().minus(Durations.parse("--since", text));
            }
        }
    }
}
