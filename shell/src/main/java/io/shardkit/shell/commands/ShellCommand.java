package io.shardkit.shell.commands;

import io.shardkit.shell.Context;
import io.shardkit.shell.ExitCodes;
import io.shardkit.shell.Main;
import io.shardkit.shell.ShellSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.shell.jline3.PicocliCommands;

/**
 * The interactive shell: the same commands as the command line, with completion of commands,
 * options and names (groups, instances, sandboxes, plans, schedules), history kept in
 * {@code <home>/history}, Ctrl-C that cancels the running command and returns to the prompt, and
 * a confirmation before commands that change a fleet's or a job's fate.
 */
@Command(name = "shell", description = "Interactive shell (the default when no command is given).")
public final class ShellCommand implements Callable<Integer> {
    private final Context ctx;

    ShellCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        ctx.origin("shell").interactive(true);
        CommandLine cl = Main.commandLine(ctx);
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            Files.createDirectories(ctx.home());
            var commands = new PicocliCommands(cl).compileCompleters();
            commands.compile(); // a SystemCompleter refuses to complete until compiled
            LineReader reader = LineReaderBuilder.builder()
                    .terminal(terminal)
                    .completer(ShellSupport.names(ctx, commands))
                    .parser(new DefaultParser())
                    .variable(LineReader.HISTORY_FILE, ctx.home().resolve("history"))
                    .build();
            ctx.out().println("shardkit shell: 'help' lists commands, Tab completes, Ctrl-C cancels a running command, 'exit' leaves. State: " + ctx.home());
            while (true) {
                String line;
                try {
                    line = reader.readLine("shardkit> ");
                } catch (UserInterruptException e) {
                    continue;
                } catch (EndOfFileException e) {
                    return ExitCodes.OK;
                }
                List<String> words = reader.getParsedLine().words().stream().filter(w -> !w.isEmpty()).toList();
                if (words.isEmpty()) continue;
                if (words.getFirst().equals("exit") || words.getFirst().equals("quit")) return ExitCodes.OK;
                if (words.getFirst().equals("help")) {
                    cl.usage(ctx.out());
                    continue;
                }
                if (words.getFirst().equals("shell")) {
                    ctx.err().println("already in the shell");
                    continue;
                }
                if (ShellSupport.destructive(words) && !confirm(reader, words)) {
                    ctx.out().println("not run");
                    continue;
                }
                int code = runCancellable(terminal, words);
                if (code == ExitCodes.CANCELLED) ctx.out().println("cancelled");
                else if (code != 0) ctx.err().println("(exit " + code + ")");
                ctx.out().flush();
                ctx.err().flush();
            }
        } catch (IOException e) {
            ctx.err().println("error: cannot open the terminal: " + e.getMessage());
            return ExitCodes.FAILED;
        }
    }

    /** Asks before a destructive command: the operator types 'yes'. */
    private boolean confirm(LineReader reader, List<String> words) {
        try {
            String answer = reader.readLine("'" + String.join(" ", words) + "' changes the fleet or ends a job's course. Type yes to run it: ");
            return answer.strip().equalsIgnoreCase("yes");
        } catch (UserInterruptException | EndOfFileException e) {
            return false;
        }
    }

    /**
     * Runs one command on a thread of its own while Ctrl-C (SIGINT from the terminal) interrupts it:
     * a command waiting or sleeping (a --watch view, a wait in a runbook) ends with CANCELLED, and
     * the prompt comes back. The previous signal handler is restored afterwards.
     */
    private int runCancellable(Terminal terminal, List<String> words) {
        AtomicInteger code = new AtomicInteger(ExitCodes.FAILED);
        AtomicBoolean cancelled = new AtomicBoolean();
        Thread worker = new Thread(() -> code.set(Main.commandLine(ctx).execute(words.toArray(String[]::new))), "shell-command");
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, sig -> {
            cancelled.set(true);
            worker.interrupt();
        });
        try {
            worker.start();
            while (worker.isAlive()) {
                try {
                    worker.join();
                } catch (InterruptedException e) {
                    worker.interrupt();
                }
            }
        } finally {
            terminal.handle(Terminal.Signal.INT, previous);
        }
        return cancelled.get() ? ExitCodes.CANCELLED : code.get();
    }
}
