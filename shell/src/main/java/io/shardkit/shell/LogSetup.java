package io.shardkit.shell;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Map;

/**
 * Logging set up in code rather than by logback.xml: operators see shardkit's own output, libraries
 * speak only when something is wrong. Parsing an XML configuration loads some 600 classes (the
 * XML parser, logback's model machinery) on every command. An operator's own configuration
 * ({@code -Dlogback.configurationFile=...}) and a test classpath's logback-test.xml still win.
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

    /** Lets a logger's INFO lines through (the daemon's log records what it ran). */
    public static void info(String logger) {
        if (org.slf4j.LoggerFactory.getLogger(logger) instanceof Logger l) l.setLevel(Level.INFO);
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
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n");
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(ctx);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr);
        LEVELS.forEach((name, level) -> ctx.getLogger(name).setLevel(level));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
