package io.shardkit.shell;

import io.shardkit.catalog.Catalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * The audit log of commands that change something: when, who, from where (cli, shell, runbook,
 * schedule, daemon), the command line with secrets removed, and its exit code. Commands that only
 * read (status, show, list, history, check, a verify without --repair) are not recorded.
 */
final class Audit {
    private static final Logger LOG = LoggerFactory.getLogger(Audit.class);
    /** Leaf commands that only read. */
    private static final Set<String> READ_ONLY = Set.of("status", "show", "list", "history", "check", "monitor", "shell", "run", "help");

    private Audit() {}

    static boolean changes(CommandLine.ParseResult parsed) {
        List<CommandLine> chain = parsed.asCommandLineList();
        CommandLine leaf = chain.getLast();
        if (leaf.isUsageHelpRequested() || leaf.isVersionHelpRequested()) return false;
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.isUsageHelpRequested() || p.isVersionHelpRequested()) return false;
        }
        String name = leaf.getCommandName();
        if (chain.size() == 1) return false; // the shell itself
        if (name.equals("verify")) return leafResult(parsed).hasMatchedOption("--repair");
        if (name.equals("audit")) return false;
        return !READ_ONLY.contains(name);
    }

    private static CommandLine.ParseResult leafResult(CommandLine.ParseResult parsed) {
        CommandLine.ParseResult p = parsed;
        while (p.hasSubcommand()) p = p.subcommand();
        return p;
    }

    /** The words as typed, each value of an option whose name speaks of a secret replaced. */
    static String scrub(String[] args) {
        List<String> out = new ArrayList<>();
        boolean hideNext = false;
        for (String a : args) {
            if (hideNext) {
                out.add("***");
                hideNext = false;
                continue;
            }
            String lower = a.toLowerCase(Locale.ROOT);
            boolean secretOption = a.startsWith("-") && (lower.contains("password") || lower.contains("secret") || lower.contains("token"));
            if (secretOption && a.contains("=")) out.add(a.substring(0, a.indexOf('=') + 1) + "***");
            else if (secretOption) {
                out.add(a);
                hideNext = true;
            } else out.add(a.contains(" ") ? "'" + a + "'" : a);
        }
        return String.join(" ", out);
    }

    /** Records one command; a catalog that cannot take it is logged, never the command's failure. */
    static void record(Context ctx, String[] args, int exit, long millis) {
        try (Catalog c = ctx.openCatalog()) {
            c.audit(ctx.actor(), ctx.origin(), scrub(args), exit == 0 ? "ok" : exit < 0 ? "failed" : "exit " + exit, millis + " ms");
        } catch (RuntimeException e) {
            LOG.warn("could not record '{}' in the audit log: {}", scrub(args), e.toString());
        }
    }
}
