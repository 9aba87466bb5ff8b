package io.shardkit.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedCatalogTest {

    @Test
    void migratesAndPersistsAcrossReopen(@TempDir Path dir) {
        try (Catalog c = Catalog.embedded(dir)) {
            assertThat(c.schemaVersion()).isEqualTo(Catalog.LATEST_VERSION + ".00");
            assertThat(c.description()).isEqualTo("embedded " + dir.toAbsolutePath().resolve("catalog.db"));
            assertThat(text(c, "PRAGMA journal_mode")).isEqualTo("wal");
            assertThat(text(c, "PRAGMA synchronous")).as("FULL").isEqualTo("2");
            assertThat(text(c, "PRAGMA busy_timeout")).isEqualTo(String.valueOf(SqliteFile.BUSY_TIMEOUT_MILLIS));
            Long none = c.query("SELECT COUNT(target_binlog_file) + COUNT(direction) FROM cutovers", rs -> { rs.next(); return rs.getLong(1); });
            assertThat(none).isZero();
            c.audit("alice", "sandbox up --groups 4", "ok", null);
            c.journal("rec-1", "g1", 1, "detect", "dead-primary", "{\"replicas\":2}");
            c.journal("rec-1", "g1", 2, "elect", "g1-2", "{}");
        }
        try (Catalog c = Catalog.embedded(dir)) {
            assertThat(c.recentAudit(5)).singleElement().satisfies(a -> {
                assertThat(a.actor()).isEqualTo("alice");
                assertThat(a.command()).isEqualTo("sandbox up --groups 4");
            });
            assertThat(c.journal("rec-1")).extracting(Catalog.JournalEntry::stepName).containsExactly("detect", "elect");
            for (String table : new String[] {"plans", "jobs", "job_transitions", "copy_checkpoints", "stream_offsets", "verify_runs",
                    "verify_diffs", "failover_journal", "schedules", "schedule_runs", "group_locks", "shard_map", "audit_log", "cutovers", "recoveries"}) {
                Long rows = c.query("SELECT COUNT(*) FROM " + table, rs -> { rs.next(); return rs.getLong(1); });
                assertThat(rows).as(table).isGreaterThanOrEqualTo(0L);
            }
        }
    }

    @Test
    void theFastPathKnowsTheNewestMigration(@TempDir Path dir) {
        // Catalog skips Flyway when the schema is at LATEST_VERSION: a new migration file must raise it
        int newest = SqliteMigrations.read().keySet().stream().mapToInt(f -> Integer.parseInt(f.substring(1, f.indexOf("__")))).max().orElseThrow();
        assertThat(Catalog.LATEST_VERSION).isEqualTo(newest);
        try (Catalog c = Catalog.embedded(dir)) {
            assertThat(c.schemaVersion()).isEqualTo(newest + ".00");
        }
        try (Catalog c = Catalog.embedded(dir)) { // the fast path: the same schema, usable
            assertThat(c.schemaVersion()).isEqualTo(newest + ".00");
            c.audit("bob", "merge status", "ok", null);
            assertThat(c.recentAudit(1)).singleElement().satisfies(a -> assertThat(a.actor()).isEqualTo("bob"));
        }
    }

    @Test
    void aTimestampWithMicrosecondsComesBackExactlyAndComparesInSql(@TempDir Path dir) {
        java.sql.Timestamp early = java.sql.Timestamp.valueOf("2025-03-30 01:59:59.999998"); // the JVM's zone; stored as UTC
        java.sql.Timestamp late = java.sql.Timestamp.valueOf("2025-03-30 01:59:59.999999");
        try (Catalog c = Catalog.embedded(dir)) {
            long id = c.insert("INSERT INTO verify_runs (job_id, table_name, started_at, chunks, rows_checked, mismatched_chunks, mismatched_rows, outcome, target_clock_start)"
                    + " VALUES (?, ?, ?, 0, 0, 0, 0, 'clean', ?)", "m1", "t", early, early);
            assertThat(c.update("UPDATE verify_runs SET target_clock_start = ? WHERE run_id = ? AND target_clock_start < ?", late, id, late)).isOne();
            java.sql.Timestamp back = c.query("SELECT target_clock_start FROM verify_runs WHERE run_id = ?", rs -> { rs.next(); return rs.getTimestamp(1); }, id);
            assertThat(back).isEqualTo(late);
            assertThat(back.getNanos()).isEqualTo(999_999_000);
            assertThat(text(c, "SELECT COUNT(*) FROM verify_runs WHERE target_clock_start > ? AND started_at = ?", early, early)).isEqualTo("1");
            java.sql.Timestamp started = c.query("SELECT started_at FROM verify_runs", rs -> { rs.next(); return rs.getObject(1, java.sql.Timestamp.class); });
            assertThat(started).isEqualTo(early);
            java.sql.Timestamp finished = c.query("SELECT finished_at FROM verify_runs", rs -> { rs.next(); return rs.getTimestamp(1); });
            assertThat(finished).isNull();
        }
    }

    @Test
    void opensNoOtherFileThanItsOwn(@TempDir Path dir) throws Exception {
        try (Catalog c = Catalog.embedded(dir)) {
            c.audit("carol", "catalog status", "ok", null);
        }
        try (var files = java.nio.file.Files.list(dir)) {
            // the WAL and its index live only while a connection is open; the migration lock stays, empty
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("catalog.db", "catalog.db.migrate-lock");
        }
    }

    private static String text(Catalog c, String sql, Object... args) {
        return c.query(sql, rs -> rs.next() ? rs.getString(1) : null, args);
    }

    @Test
    void aTransactionIsAllOrNothing(@TempDir Path dir) {
        try (Catalog c = Catalog.embedded(dir)) {
            c.inTransaction(tx -> {
                tx.audit("a", "one", "ok", null);
                tx.audit("a", "two", "ok", null);
                return null;
            });
            assertThat(c.recentAudit(10)).extracting(Catalog.AuditEntry::command).containsExactly("two", "one");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.inTransaction(tx -> {
                tx.audit("b", "three", "ok", null);
                throw new IllegalStateException("boom");
            })).hasMessage("boom");
            assertThat(c.recentAudit(10)).extracting(Catalog.AuditEntry::command).as("the failed transaction left nothing").containsExactly("two", "one");
        }
    }
}
