package io.shardkit.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedCatalogTest {

    @Test
    void migratesAndPersistsAcrossReopen(@TempDir Path dir) {
        try (Catalog c = Catalog.embedded(dir)) {
            assertThat(c.schemaVersion()).isEqualTo("5.00");
            assertThat(dir.resolve("catalog.trace.db")).as("a trace file of the expected first-probe failure").doesNotExist();
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
                    "verify_diffs", "failover_journal", "schedules", "schedule_runs", "group_locks", "shard_map", "audit_log", "cutovers"}) {
                Long rows = c.query("SELECT COUNT(*) FROM " + table, rs -> { rs.next(); return rs.getLong(1); });
                assertThat(rows).as(table).isGreaterThanOrEqualTo(0L);
            }
        }
    }

    @Test
    void theFastPathKnowsTheNewestMigration(@TempDir Path dir) {
        // Catalog skips Flyway when the schema is at LATEST_VERSION: a new migration file must raise it
        var all = org.flywaydb.core.Flyway.configure().dataSource("jdbc:h2:mem:probe", "", "").locations("classpath:db/catalog").load().info().all();
        int newest = java.util.Arrays.stream(all).mapToInt(m -> Integer.parseInt(m.getVersion().getVersion())).max().orElseThrow();
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
}
