package io.shardkit.shell;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.junit.jupiter.api.Test;

/** The logging every command starts with: libraries quiet unless something is wrong, on stderr. */
class LogSetupTest {
    @Test
    void librariesSpeakOnlyWhenSomethingIsWrong() {
        LoggerContext ctx = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        assertThat(ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.WARN);
        assertThat(ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR")).isNotNull();
        assertThat(ctx.getLogger("io.debezium.connector.mariadb.MariaDbConnectorTask").isInfoEnabled()).isFalse();
        assertThat(ctx.getLogger("io.debezium.connector.mariadb.MariaDbConnectorTask").isWarnEnabled()).isTrue();
        assertThat(ctx.getLogger("io.debezium.embedded.async.AsyncEmbeddedEngine").isErrorEnabled()).isFalse();
        assertThat(ctx.getLogger("com.zaxxer.hikari.pool.HikariPool").isWarnEnabled()).isFalse();
        // levels reach java.util.logging too (Main bridges it to SLF4J)
        assertThat(java.util.logging.Logger.getLogger("com.zaxxer.hikari").getLevel()).isEqualTo(java.util.logging.Level.SEVERE);
    }
}
