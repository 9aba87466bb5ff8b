package io.shardkit.shell;

import io.shardkit.shell.commands.RootCommand;
import java.io.PrintWriter;
import picocli.CommandLine;

/** Entry point. {@link #run} takes its writers so tests see exactly what an operator sees. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(commandLine(new Context(out, err).terminal(stdoutIsTerminal())).execute(args));
    }

    /**
     * True when this process's standard output is a terminal (Linux: fd 1 is a tty device). Progress
     * bars are drawn there only; a pipe or a file gets plain lines.
     */
    static boolean stdoutIsTerminal() {
        try {
            String target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/1")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return false; // not Linux, or no /proc: no bars
        }
    }

    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return commandLine(new Context(out, err)).execute(args);
    }

    /** A fully wired command line for one context (also used by the interactive shell and runbooks). */
    public static CommandLine commandLine(Context ctx) {
        CommandLine cl = new CommandLine(RootCommand.class, new ContextFactory(ctx));
        cl.setOut(ctx.out());
        cl.setErr(ctx.err());
        cl.setExecutionExceptionHandler(new Failures(ctx));
        // the log file is known once --home is parsed
        cl.setExecutionStrategy(parsed -> {
            LogSetup.logTo(LogSetup.file(ctx.home()), ctx.debug());
            long began = System.nanoTime();
            boolean audited = Audit.changes(parsed);
            String[] words = parsed.originalArgs().toArray(String[]::new);
            try {
                int exit = new CommandLine.RunLast().execute(parsed);
                if (audited && exit != ExitCodes.BAD_INPUT) Audit.record(ctx, words, exit, (System.nanoTime() - began) / 1_000_000);
                return exit;
            } catch (RuntimeException e) {
                // the handler turns it into an exit code and a message; the audit records an attempt that ran, while bad
                // input changes nothing, not even the audit log (nor creates a catalog)
                Throwable cause = e instanceof CommandLine.ExecutionException && e.getCause() != null ? e.getCause() : e;
                if (audited && !(cause instanceof IllegalArgumentException)) Audit.record(ctx, words, -1, (System.nanoTime() - began) / 1_000_000);
                throw e;
            }
        });
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // paths as the caller typed them: relative to the daemon's client's directory when the daemon runs this
        cl.registerConverter(java.nio.file.Path.class, ctx::path);
        return cl;
    }

    /** Hands the {@link Context} to every command whose constructor asks for it. */
    private record ContextFactory(Context ctx) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            try {
                var c = cls.getDeclaredConstructor(Context.class);
                c.setAccessible(true);
                return c.newInstance(ctx);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(cls);
            }
        }
    }
}
