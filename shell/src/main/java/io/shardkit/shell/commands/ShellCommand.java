package io.shardkit.shell.commands;

import io.shardkit.shell.Context;
import io.shardkit.shell.ExitCodes;
import io.shardkit.shell.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.Callable;
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

/** The interactive shell: the same commands as the command line, with completion and history. */
@Command(name = "shell", description = "Interactive shell (the default when no command is given).")
public final class ShellCommand implements Callable<Integer> {
    private final Context ctx;

    ShellCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        ctx.origin("shell");
        CommandLine cl = Main.commandLine(ctx);
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            Files.createDirectories(ctx.home());
            var completer = new PicocliCommands(cl).compileCompleters();
            completer.compile(); // a SystemCompleter refuses to complete until compiled
            LineReader reader = LineReaderBuilder.builder()
                    .terminal(terminal)
                    .completer(completer)
                    .parser(new DefaultParser())
                    .variable(LineReader.HISTORY_FILE, ctx.home().resolve("history"))
                    .build();
            ctx.out().println("shardkit shell: 'help' lists commands, 'exit' leaves. State: " + ctx.home());
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
                int code = Main.commandLine(ctx).execute(words.toArray(String[]::new));
                if (code != 0) ctx.err().println("(exit " + code + ")");
                ctx.out().flush();
                ctx.err().flush();
            }
        } catch (IOException e) {
            ctx.err().println("error: cannot open the terminal: " + e.getMessage());
            return ExitCodes.FAILED;
        }
    }
}
