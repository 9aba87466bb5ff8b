package io.shardkit.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteMigrationsTest {
    /** MySQL/MariaDB catalogs have these files' checksums recorded: the files never change, a new one is added instead. */
    private static final Map<String, String> SHA256 = Map.of(
            "V1__catalog.sql", "5dcf6bc9cecd4ea066c5ec4fbdf0ee5ab0429fb8c79d95cbc88e1194e64ba3be",
            "V2__job_owner.sql", "3cb8cb5df7222525b66c29f0b3f7decebb6b1a178632457eaa59c7770820fe5a",
            "V3__job_settings.sql", "89c183780114bd436a15544b7d80373a45dc7adc4969385625d8cb33ed78e5de",
            "V4__verify_and_cutover.sql", "46c8bda3f5148a496f2f04cc594ebb73661e00d1c432e39ae3f3b3135e8af99b",
            "V5__rollback.sql", "560107a67856e2626aa476a61d28ebf0224dcd4bd28e8f2484dd51755bf9554c");

    @Test
    void theMysqlFilesAreTheOnesServerCatalogsRecorded() throws Exception {
        Map<String, String> files = SqliteMigrations.read();
        assertThat(files.keySet()).containsAll(SHA256.keySet());
        for (var e : SHA256.entrySet()) {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(files.get(e.getKey()).getBytes(StandardCharsets.UTF_8));
            assertThat(HexFormat.of().formatHex(digest)).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void theShimRewritesEveryAutoIncrementKeyAndNothingElse() {
        Map<String, String> files = SqliteMigrations.read();
        assertThat(files).hasSizeGreaterThanOrEqualTo(Catalog.LATEST_VERSION);
        int keys = 0;
        for (var e : files.entrySet()) {
            String sqlite = SqliteMigrations.rewrite(e.getValue());
            assertThat(sqlite).as(e.getKey()).doesNotContainIgnoringCase("AUTO_INCREMENT");
            int here = Pattern.compile("(?i)AUTO_INCREMENT").matcher(e.getValue()).results().mapToInt(m -> 1).sum();
            assertThat(Pattern.compile("INTEGER PRIMARY KEY AUTOINCREMENT").matcher(sqlite).results().count()).as(e.getKey()).isEqualTo(here);
            assertThat(sqlite.replace("INTEGER PRIMARY KEY AUTOINCREMENT", "BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY")).as(e.getKey()).isEqualTo(e.getValue());
            keys += here;
        }
        assertThat(keys).as("job_transitions, verify_runs, verify_diffs, failover_journal, schedule_runs, audit_log, cutovers").isEqualTo(7);
    }

    @Test
    void everyRewrittenFileAppliesAndTheKeysCountFromOne(@TempDir Path dir) {
        DataSource ds = SqliteFile.dataSource(dir.resolve("catalog.db"));
        SqliteFile.migrate(ds);
        try (Catalog c = Catalog.embedded(dir)) { // the same file: at the newest version, so the fast path opens it
            long applied = c.query("SELECT COUNT(*) FROM flyway_schema_history WHERE success = 1 AND version IS NOT NULL", rs -> { rs.next(); return rs.getLong(1); });
            assertThat(applied).isEqualTo(SqliteMigrations.read().size());
            assertThat(c.schemaVersion()).isEqualTo(Catalog.LATEST_VERSION + ".00");
            String keyType = c.query("SELECT type FROM pragma_table_info('audit_log') WHERE pk = 1", rs -> { rs.next(); return rs.getString(1); });
            assertThat(keyType).as("a rowid alias").isEqualTo("INTEGER");
            assertThat(c.insert("INSERT INTO cutovers (job_id, started_at, outcome) VALUES ('m1', ?, 'running')", new java.sql.Timestamp(0))).isEqualTo(1L);
            assertThat(c.insert("INSERT INTO cutovers (job_id, started_at, outcome) VALUES ('m1', ?, 'running')", new java.sql.Timestamp(0))).isEqualTo(2L);
        }
    }
}
