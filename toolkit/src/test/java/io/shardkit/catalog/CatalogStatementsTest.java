package io.shardkit.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardkit.cutover.FreezeSteps;
import io.shardkit.merge.JobState;
import io.shardkit.merge.JobStore;
import io.shardkit.verify.RowDiff;
import io.shardkit.verify.TableResult;
import io.shardkit.verify.VerifyStore;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every statement the toolkit and the shell send to the catalog, run on the embedded (SQLite) one. */
class CatalogStatementsTest {

    @Test
    void jobStoreStatements(@TempDir Path dir) {
        try (Catalog c = Catalog.embedded(dir)) {
            JobStore jobs = new JobStore(c);
            c.savePlan("m1", "alice", "g1,g2", "g3", "{}");
            assertThatThrownBy(() -> c.savePlan("m1", "bob", "g1", "g3", "{}")).hasMessageContaining("already exists");
            assertThat(jobs.state("m1")).isEqualTo(JobState.PLANNED);
            jobs.move("m1", JobState.COPYING, "start");
            jobs.move("m1", JobState.STREAMING, "copied");
            assertThat(jobs.state("m1")).isEqualTo(JobState.STREAMING);
            assertThat(jobs.reason("m1")).isEqualTo("copied");
            assertThat(jobs.copyFinished("m1")).isTrue();
            jobs.heartbeat("m1");
            assertThat(jobs.live("m1")).as("owned by this process, heartbeat fresh").isTrue();
            assertThat(jobs.runningElsewhere("m1")).isFalse();
            jobs.saveSettings("m1", 1000, 50, 2000);
            jobs.saveSettings("m1", 500, 40, 1000);
            jobs.reportThrottle("m1", "lag 2 s");
            assertThat(jobs.settings("m1")).isEqualTo(new JobStore.Settings(500, 40, 1000, "lag 2 s"));
            Thread beats = new Thread(() -> { });
            beats.start();
            assertThat(jobs.releaseAfter(beats, "m1")).isEmpty();
            assertThat(jobs.live("m1")).as("released").isFalse();
        }
    }

    @Test
    void verifyStoreAndShardMapStatements(@TempDir Path dir) {
        try (Catalog c = Catalog.embedded(dir)) {
            VerifyStore store = new VerifyStore(c);
            Timestamp clock = Timestamp.valueOf("2025-01-02 03:04:05.678901");
            TableResult r = new TableResult("t", "chunks", 3, 100, 1, List.of(new RowDiff("t", List.of(7L), RowDiff.Kind.MISSING, "g1")), 12, true, 0);
            long id = store.save("m1", r, Instant.now(), clock);
            VerifyStore.Run run = store.latest("m1").get("t");
            assertThat(run.id()).isEqualTo(id);
            assertThat(run.targetClockStart()).isEqualTo(clock);
            assertThat(run.diffs()).isEqualTo(1);
            assertThat(store.diffs(id)).singleElement().satisfies(d -> assertThat(d).containsExactly("MISSING", r.diffs().get(0).keyText(), "g1"));
            assertThat(FreezeSteps.bumpShardMap(c, "{\"v\":1}")).isEqualTo(1);
            assertThat(FreezeSteps.bumpShardMap(c, "{\"v\":2}")).isEqualTo(2);
        }
    }

    @Test
    void groupLocksRelyOnThePrimaryKey(@TempDir Path dir) {
        try (Catalog c = Catalog.embedded(dir)) {
            GroupLocks locks = new GroupLocks(c);
            assertThat(locks.acquire(List.of("g1", "g2"), "cutover m1", "cutover")).isEmpty();
            assertThat(locks.acquire(List.of("g1"), "cutover m1", "cutover")).as("re-entrant").isEmpty();
            List<GroupLocks.Held> in = locks.acquire(List.of("g3", "g2"), "failover g2", "failover");
            assertThat(in).extracting(GroupLocks.Held::group, GroupLocks.Held::holder).containsExactly(org.assertj.core.api.Assertions.tuple("g2", "cutover m1"));
            assertThat(locks.holder("g3")).as("all or nothing").isNull();
            assertThat(locks.holder("g1").since()).isBeforeOrEqualTo(Instant.now());
            locks.release(List.of("g1", "g2"), "cutover m1");
            assertThat(locks.acquire(List.of("g3", "g2"), "failover g2", "failover")).isEmpty();
        }
    }

    /** A failover may take a cutover's group until the cutover marks itself switching, and never after. */
    @Test
    void aFailoverPreemptsACutoverOnlyBeforeItSwitches(@TempDir Path dir) {
        try (Catalog c = Catalog.embedded(dir)) {
            GroupLocks locks = new GroupLocks(c);
            List<String> groups = List.of("g1", "g2", "g3");
            assertThat(locks.acquire(groups, "cutover:m1:1", "cutover")).isEmpty();
            assertThat(locks.mark(groups, "cutover:m1:1", GroupLocks.FROZEN)).isTrue();
            assertThat(locks.preempt("g2", "cutover:m1:1", "failover:r1", "failover")).isTrue();
            assertThat(locks.lost(groups, "cutover:m1:1")).containsExactly("g2");
            assertThat(locks.mark(groups, "cutover:m1:1", GroupLocks.SWITCHING)).as("a preempted cutover cannot switch").isFalse();
            assertThat(locks.holder("g1").purpose()).as("nothing changed by the refused mark").isEqualTo(GroupLocks.FROZEN);
            locks.release(groups, "cutover:m1:1");
            assertThat(locks.holder("g2").holder()).as("its release leaves the failover's lock").isEqualTo("failover:r1");
            locks.release(List.of("g2"), "failover:r1");

            assertThat(locks.acquire(groups, "cutover:m1:2", "cutover")).isEmpty();
            assertThat(locks.mark(groups, "cutover:m1:2", GroupLocks.SWITCHING)).isTrue();
            assertThat(locks.preempt("g1", "cutover:m1:2", "failover:r2", "failover")).as("a switching cutover keeps its groups").isFalse();
            assertThat(locks.lost(groups, "cutover:m1:2")).isEmpty();
        }
    }

    /** The statements of Cutover, SwitchBack, ReverseJob and MergeStatusCommand, as they are written there (they need live servers to run). */
    @Test
    void cutoverStatements(@TempDir Path dir) {
        try (Catalog c = Catalog.embedded(dir)) {
            Timestamp now = Timestamp.from(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS)); // TIMESTAMP(6)
            long id = c.insert("INSERT INTO cutovers (job_id, started_at, outcome, direction) VALUES (?, ?, ?, ?)", "m1", now, "running", "forward");
            c.update("UPDATE cutovers SET target_binlog_file = ?, target_binlog_pos = ?, target_gtid = ? WHERE cutover_id = ?", "bin.000003", 4711L, "uuid:1-9", id);
            c.update("UPDATE cutovers SET finished_at = ?, outcome = ?, predicted_freeze_ms = ?, freeze_ms = ?, reason = ?, timeline_json = ? WHERE cutover_id = ?",
                    now, "done", 800L, 640L, null, "[]", id);
            String[] point = c.query("SELECT target_binlog_file, target_binlog_pos, target_gtid, finished_at FROM cutovers WHERE job_id = ? AND outcome = 'done'"
                    + " AND (direction IS NULL OR direction = 'forward') ORDER BY cutover_id DESC", rs -> rs.next()
                    ? new String[] {rs.getString(1), String.valueOf(rs.getLong(2)), rs.getString(3), rs.getTimestamp(4).toInstant().toString()} : null, "m1");
            assertThat(point).containsExactly("bin.000003", "4711", "uuid:1-9", now.toInstant().toString());
            String last = c.query("SELECT outcome, freeze_ms, reason, finished_at FROM cutovers WHERE job_id = ? AND COALESCE(direction, 'forward') = ?"
                    + " ORDER BY cutover_id DESC LIMIT 1", rs -> rs.next() ? rs.getString(1) + " " + rs.getObject(2) + " " + rs.getString(3) + " " + rs.getTimestamp(4) : null,
                    "m1", "forward");
            assertThat(last).isEqualTo("done 640 null " + now);
        }
    }
}
