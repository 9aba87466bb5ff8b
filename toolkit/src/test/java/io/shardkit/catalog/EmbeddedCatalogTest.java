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
}
