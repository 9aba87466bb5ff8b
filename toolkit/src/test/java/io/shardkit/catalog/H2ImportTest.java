package io.shardkit.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.util.List;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A home with a catalog.mv.db written the old way (H2, AUTO_SERVER) opens as SQLite with every row. */
class H2ImportTest {
    /** The URL the H2 catalog was opened with before SQLite. */
    static String oldUrl(Path home) {
        return "jdbc:h2:file:" + home.toAbsolutePath().resolve("catalog") + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;AUTO_SERVER=TRUE;AUTO_RECONNECT=TRUE;TRACE_LEVEL_FILE=0";
    }

    private static final Timestamp STARTED = Timestamp.valueOf("2025-05-04 03:02:01.123456");
    private static final Timestamp CLOCK = Timestamp.valueOf("2025-05-04 03:02:00.000007");

    /** An H2 catalog as the old Catalog.embedded left it: migrated by Flyway, rows in several tables, a gap in audit ids. */
    static void writeOldCatalog(Path home) throws Exception {
        try (Connection c = DriverManager.getConnection(oldUrl(home), "shardkit", "")) {
            Flyway.configure().dataSource(oldUrl(home), "shardkit", "").locations("classpath:db/catalog").load().migrate();
            for (String actor : new String[] {"alice", "bob", "carol"}) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_log (happened_at, actor, command, outcome, detail) VALUES (?, ?, 'merge start m1', 'ok', NULL)")) {
                    ps.setTimestamp(1, STARTED);
                    ps.setString(2, actor);
                    ps.executeUpdate();
                }
            }
            try (var st = c.createStatement()) {
                st.executeUpdate("DELETE FROM audit_log WHERE actor = 'bob'");
                st.executeUpdate("INSERT INTO plans (plan_id, created_at, created_by, source_groups, target_group, spec_json) VALUES ('m1', NOW(), 'alice', 'g1,g2', 'g3', '{\"tables\":[\"t\"]}')");
                st.executeUpdate("INSERT INTO jobs (job_id, plan_id, state, created_at, updated_at, revision, owner) VALUES ('m1', 'm1', 'STREAMING', NOW(), NOW(), 3, 'h:1')");
                st.executeUpdate("INSERT INTO group_locks (group_name, holder, purpose, acquired_at) VALUES ('g3', 'cutover m1', 'cutover', NOW())");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO verify_runs (job_id, table_name, started_at, chunks, rows_checked, mismatched_chunks,"
                    + " mismatched_rows, outcome, mode, target_clock_start, settled) VALUES ('m1', 't', ?, 4, 100, 0, 0, 'clean', 'chunks', ?, TRUE)")) {
                ps.setTimestamp(1, STARTED);
                ps.setTimestamp(2, CLOCK);
                ps.executeUpdate();
            }
        }
    }

    @Test
    void importsEveryRowOnceAndKeepsTheOldFile(@TempDir Path home) throws Exception {
        writeOldCatalog(home);
        try (Catalog c = Catalog.embedded(home)) {
            assertThat(c.recentAudit(10)).extracting(Catalog.AuditEntry::id, Catalog.AuditEntry::actor)
                    .containsExactly(org.assertj.core.api.Assertions.tuple(3L, "carol"), org.assertj.core.api.Assertions.tuple(1L, "alice"));
            Timestamp happened = c.query("SELECT happened_at FROM audit_log WHERE audit_id = 3", rs -> { rs.next(); return rs.getTimestamp(1); });
            assertThat(happened).isEqualTo(STARTED);
            assertThat(c.planJson("m1")).isEqualTo("{\"tables\":[\"t\"]}");
            assertThat(new io.shardkit.merge.JobStore(c).state("m1")).isEqualTo(io.shardkit.merge.JobState.STREAMING);
            assertThat(new GroupLocks(c).holder("g3").holder()).isEqualTo("cutover m1");
            io.shardkit.verify.VerifyStore.Run run = new io.shardkit.verify.VerifyStore(c).latest("m1").get("t");
            assertThat(run.targetClockStart()).isEqualTo(CLOCK);
            assertThat(run.settled()).isTrue();
            c.audit("dave", "merge status m1", "ok", null);
            assertThat(c.recentAudit(1).get(0).id()).as("ids go on after the imported ones").isEqualTo(4L);
        }
        try (Stream<Path> files = Files.list(home)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertThat(names).contains("catalog.db").doesNotContain("catalog.mv.db", "catalog.db.importing");
            assertThat(names).filteredOn(n -> n.startsWith("catalog.mv.db.imported-")).hasSize(1);
        }
        try (Catalog c = Catalog.embedded(home)) { // opened again: nothing imported twice
            long rows = c.query("SELECT COUNT(*) FROM audit_log", rs -> { rs.next(); return rs.getLong(1); });
            assertThat(rows).isEqualTo(3L);
        }
    }

    @Test
    void refusesWhileAnOldProcessHoldsTheH2FileAndImportsOnceItIsGone(@TempDir Path home) throws Exception {
        writeOldCatalog(home);
        Process old = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                OldShardkit.class.getName(), home.toString()).redirectErrorStream(true).start();
        try {
            assertThat(new BufferedReader(new InputStreamReader(old.getInputStream())).readLine()).isEqualTo("open");
            assertThatThrownBy(() -> Catalog.embedded(home)).isInstanceOf(CatalogException.class)
                    .hasMessageContaining("is in use by a shardkit of an older version: stop every old shardkit process");
            assertThat(home.resolve("catalog.db")).doesNotExist();
            assertThat(home.resolve("catalog.mv.db")).exists();
        } finally {
            old.destroyForcibly().waitFor();
        }
        try (Catalog c = Catalog.embedded(home)) { // after a kill -9 of the old process: its lock file is stale, the file lock gone
            assertThat(c.recentAudit(10)).hasSize(2);
        }
    }

    /** An old shardkit: holds the H2 catalog open (the way Catalog.embedded did) until killed. */
    public static final class OldShardkit {
        public static void main(String[] args) throws Exception {
            try (Connection c = DriverManager.getConnection(oldUrl(Path.of(args[0])), "shardkit", "")) {
                System.out.println("open");
                System.out.flush();
                Thread.sleep(Long.MAX_VALUE);
            }
        }
    }
}
