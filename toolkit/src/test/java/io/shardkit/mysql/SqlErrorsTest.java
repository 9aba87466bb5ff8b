package io.shardkit.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlErrorsTest {

    @Test
    void classifiesByCodeAndState() {
        assertThat(SqlErrors.classify(new SQLException("deadlock", "40001", 1213))).isEqualTo(SqlErrors.ErrorClass.RETRYABLE);
        assertThat(SqlErrors.classify(new SQLException("lock wait", "HY000", 1205))).isEqualTo(SqlErrors.ErrorClass.RETRYABLE);
        assertThat(SqlErrors.classify(new SQLException("gone", "HY000", 2013))).isEqualTo(SqlErrors.ErrorClass.CONNECTION_LOST);
        assertThat(SqlErrors.classify(new SQLException("link", "08S01", 0))).isEqualTo(SqlErrors.ErrorClass.CONNECTION_LOST);
        assertThat(SqlErrors.classify(new SQLException("denied", "28000", 1045))).isEqualTo(SqlErrors.ErrorClass.ACCESS_DENIED);
        assertThat(SqlErrors.classify(new SQLException("read only", "HY000", 1290))).isEqualTo(SqlErrors.ErrorClass.READ_ONLY);
        assertThat(SqlErrors.classify(new SQLException("syntax", "42000", 1064))).isEqualTo(SqlErrors.ErrorClass.FATAL);
        SQLException wrapped = new SQLException("outer", "HY000", 0, new SQLException("inner", "HY000", 1213));
        assertThat(SqlErrors.classify(wrapped)).isEqualTo(SqlErrors.ErrorClass.RETRYABLE);
    }

    @Test
    void credentialsResolveFromOptionFileAndEnvWithoutLeaking(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.cnf");
        Files.writeString(f, "[client]\nuser=x\npassword=nope\n[shardkit-admin]\nuser=admin\npassword=\"top secret\"\n");
        Credential c = CredentialRef.optionFile("ignored", f, "shardkit-admin").resolve();
        assertThat(c.user()).isEqualTo("admin");
        assertThat(c.password().reveal()).isEqualTo("top secret");
        assertThat(c.toString()).doesNotContain("secret");
        assertThat(CredentialRef.env("u", "PW").resolve(Map.of("PW", "abc")::get).password().reveal()).isEqualTo("abc");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CredentialRef.env("u", "MISSING_PW").resolve(k -> null))
                .hasMessageContaining("MISSING_PW");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CredentialRef.optionFile("u", f, "nosuch").resolve())
                .hasMessageContaining("[nosuch]").hasMessageNotContaining("secret");
    }
}
