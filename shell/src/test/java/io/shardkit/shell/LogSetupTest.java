package io.shardkit.shell;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The logging every command starts with: libraries quiet unless something is wrong, and then into the log file. */
class LogSetupTest {
    @Test
    void librariesSpeakOnlyWhenSomethingIsWrongAndOnlyIntoTheLogFile(@TempDir Path home) throws Exception {
        LoggerContext ctx = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        var root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.WARN);
        assertThat(ctx.getLogger("io.debezium.connector.mariadb.MariaDbConnectorTask").isInfoEnabled()).isFalse();
        assertThat(ctx.getLogger("io.debezium.connector.mariadb.MariaDbConnectorTask").isWarnEnabled()).isTrue();
        assertThat(ctx.getLogger("io.debezium.embedded.async.AsyncEmbeddedEngine").isErrorEnabled()).isFalse();
        assertThat(ctx.getLogger("com.zaxxer.hikari.pool.HikariPool").isWarnEnabled()).isFalse();
        // levels reach java.util.logging too (Main bridges it to SLF4J)
        assertThat(java.util.logging.Logger.getLogger("com.zaxxer.hikari").getLevel()).isEqualTo(java.util.logging.Level.SEVERE);

        // nothing on the terminal: a library's warning and its stack trace land in the file
        assertThat(root.getAppender(LogSetup.STDERR)).isNull();
        Path file = LogSetup.file(home);
        LogSetup.logTo(file, false);
        assertThat(root.getAppender(LogSetup.STDERR)).as("no terminal appender without --debug").isNull();
        org.slf4j.LoggerFactory.getLogger("io.debezium.relational.RelationalSnapshotChangeEventSource")
                .error("Error during snapshot", new InterruptedException("Interrupted while reading structure of schema"));
        assertThat(Files.readString(file)).contains("Error during snapshot").contains("java.lang.InterruptedException: Interrupted while reading structure");
        // --debug adds the terminal
        LogSetup.logTo(file, true);
        assertThat(root.getAppender(LogSetup.STDERR)).isNotNull();
        root.detachAppender(LogSetup.STDERR);
    }
}
