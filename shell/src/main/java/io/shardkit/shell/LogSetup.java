package io.shardkit.shell;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.nio.file.Path;
import java.util.Map;

/**
 * Logging set up in code rather than by logback.xml: operators see shardkit's own output, libraries
 * speak only when something is wrong, and then into a log file ({@code <home>/logs/shardkit.log},
 * with their stack traces), never onto the operator's terminal unless {@code --debug} asks for it.
 * Parsing an XML configuration loads some 600 classes (the XML parser, logback's model machinery)
 * on every command. An operator's own configuration ({@code -Dlogback.configurationFile=...}) and a
 * test classpath's logback-test.xml still win.
 *
 * <p>The file is known only once the command line is parsed ({@code --home}): until {@link #logTo}
 * the root logger has no appender, and the few events of that moment are dropped.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {
    static final Map<String, Level> LEVELS = Map.of(
            "com.zaxxer.hikari", Level.ERROR,
            "org.flywaydb", Level.WARN,
            "io.debezium", Level.WARN,
            "org.apache.kafka", Level.ERROR,
            "com.github.shyiko", Level.WARN,
            // a failed stream is reported by shardkit in its own words (and handled: restart, follow a new
            // primary); the engine's own stack trace would only bury that
            "io.debezium.embedded.async.AsyncEmbeddedEngine", Level.OFF,
            // every resume rebuilds the schema history on purpose (see BinlogStream): its absence is expected
            "io.debezium.connector.common.BaseSourceTask", Level.ERROR);

    static final String FILE = "FILE", STDERR = "STDERR";
    private static boolean configuredHere;

    /** Lets a logger's INFO lines through (the daemon's log records what it ran). */
    public static void info(String logger) {
        if (org.slf4j.LoggerFactory.getLogger(logger) instanceof Logger l) l.setLevel(Level.INFO);
    }

    /** The log file under a state directory. */
    public static Path file(Path home) {
        return home.resolve("logs").resolve("shardkit.log");
    }

    /**
     * Sends library messages to {@code file} (several processes may share it: every write takes the
     * file's lock), and with {@code debug} also to stderr. Only where this class configured logging.
     */
    public static synchronized void logTo(Path file, boolean debug) {
        // the factory first: asking for it runs logback's configuration (and with it configure() below) when nothing
        // has logged yet, as in a launcher's fresh JVM; checked the other way round, the first command there never got
        // its file, and the daemon's first lines (who leads) were dropped
        if (!(org.slf4j.LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) || !configuredHere) return;
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        if (root.getAppender(FILE) instanceof LazyFile old && !old.file.equals(file)) {
            root.detachAppender(old); // another --home in this process (tests, an interactive shell's later command)
            old.stop();
        }
        if (root.getAppender(FILE) == null) {
            LazyFile f = new LazyFile(file);
            f.setContext(ctx);
            f.setName(FILE);
            f.start();
            root.addAppender(f);
        }
        if (debug && root.getAppender(STDERR) == null) {
            ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
            stderr.setContext(ctx);
            stderr.setName(STDERR);
            stderr.setTarget("System.err");
            stderr.setEncoder(encoder(ctx, "%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n"));
            stderr.start();
            root.addAppender(stderr);
        }
    }

    /**
     * The log file, made only when there is something to write: a command refused for bad input
     * must leave its --home as it found it. Several processes may share the file: every write
     * takes the file's lock (logback's prudent mode).
     */
    static final class LazyFile extends ch.qos.logback.core.AppenderBase<ILoggingEvent> {
        final Path file;
        private FileAppender<ILoggingEvent> delegate;
        private boolean unwritable;

        LazyFile(Path file) {
            this.file = file;
        }

        @Override
        protected void append(ILoggingEvent event) {
            if (delegate == null && !unwritable) {
                try {
                    java.nio.file.Files.createDirectories(file.getParent());
                    FileAppender<ILoggingEvent> f = new FileAppender<>();
                    f.setContext(getContext());
                    f.setFile(file.toString());
                    f.setAppend(true);
                    f.setPrudent(true);
                    f.setEncoder(encoder((LoggerContext) getContext(), "%d{yyyy-MM-dd HH:mm:ss.SSS} [%thread] pid " + ProcessHandle.current().pid()
                            + " %-5level %logger{36} - %msg%n"));
                    f.start();
                    delegate = f;
                } catch (java.io.IOException | RuntimeException e) {
                    unwritable = true; // nowhere to write: dropped, as before a home was known
                }
            }
            if (delegate != null) delegate.doAppend(event);
        }

        @Override
        public void stop() {
            if (delegate != null) delegate.stop();
            super.stop();
        }
    }

    private static PatternLayoutEncoder encoder(LoggerContext ctx, String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern(pattern);
        encoder.start();
        return encoder;
    }

    @Override
    public ExecutionStatus configure(LoggerContext ctx) {
        if (System.getProperty("logback.configurationFile") != null || LogSetup.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        // java.util.logging (bridged to SLF4J in Main) gets the levels set below, so disabled records are not even built
        ch.qos.logback.classic.jul.LevelChangePropagator jul = new ch.qos.logback.classic.jul.LevelChangePropagator();
        jul.setContext(ctx);
        jul.setResetJUL(true);
        ctx.addListener(jul);
        jul.start();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        LEVELS.forEach((name, level) -> ctx.getLogger(name).setLevel(level));
        configuredHere = true;
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
