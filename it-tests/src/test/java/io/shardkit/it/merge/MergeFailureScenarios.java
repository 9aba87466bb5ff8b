package io.shardkit.it.merge;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.catalog.Catalog;
import io.shardkit.it.fixture.Fleet;
import io.shardkit.it.fixture.MergeRuns;
import io.shardkit.merge.JobState;
import io.shardkit.merge.JobStore;
import io.shardkit.merge.KeyStrategy;
import io.shardkit.merge.MergeControl;
import io.shardkit.merge.MergeJob;
import io.shardkit.merge.MergeRequest;
import io.shardkit.merge.Plan;
import io.shardkit.merge.PlanJson;
import io.shardkit.merge.Planner;
import io.shardkit.mysql.Queries;
import io.shardkit.topology.Topology;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Failures that must not kill a merge, and failures that must stop it by name instead of looping:
 * a binlog connection killed twice in the middle of the copy (the stream restarts on the same
 * primary while copiers read from it: nothing is closed under them); a row the target refuses
 * (FAILED, naming source, table, key, column and the server's error, once); an invalid calendar
 * date the binlog decoder cannot represent (FAILED after three identical failures, not forever).
 */
abstract class MergeFailureScenarios {
    static final List<String> SOURCES = List.of("g1", "g2");
    static final String TARGET = "g3";

    static String primary(Fleet f, String g) {
        return f.discover().group(g).primary().orElseThrow();
    }

    static void seed(Fleet f, String db, int rows) throws Exception {
        for (String g : SOURCES) {
            try (Connection c = f.connect(primary(f, g))) {
                Queries.execute(c, "CREATE DATABASE " + db);
                Queries.execute(c, "CREATE TABLE " + db + ".t (id INT PRIMARY KEY, v INT NOT NULL, d DATE, note VARCHAR(40))");
                StringBuilder sb = new StringBuilder("INSERT INTO " + db + ".t VALUES ");
                for (int i = 1; i <= rows; i++) sb.append(i == 1 ? "" : ",").append("(").append(i).append(", ").append(i % 100).append(", '2024-01-02', 'n").append(i).append("')");
                Queries.execute(c, sb.toString());
            }
        }
    }

    static Plan plan(Fleet f, String db) {
        Topology t = f.topology();
        return new Planner(t, f.admin(), t.credentials().stream().resolve(), Clock.systemUTC())
                .plan(new MergeRequest(db, SOURCES, TARGET, db, List.of(), KeyStrategy.SHARD_COLUMN, List.of(), "_shard"));
    }

    /** Kills the binlog dump connections a source serves (what a dropped connection or a restarted proxy does to a stream). */
    static int killBinlogDumps(Fleet f, String group) throws Exception {
        int killed = 0;
        try (Connection c = f.connect(primary(f, group)); var st = c.createStatement()) {
            List<Long> ids = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'")) {
                while (rs.next()) ids.add(rs.getLong(1));
            }
            for (long id : ids) {
                try {
                    st.execute("KILL " + id);
                    killed++;
                } catch (java.sql.SQLException gone) {
                    // ended by itself meanwhile
                }
            }
        }
        return killed;
    }

    @Test
    void aStreamRestartedTwiceDuringTheCopyClosesNothingUnderTheCopiers(Fleet f) throws Exception {
        String db = "fail_restart";
        seed(f, db, 3000);
        Plan plan = plan(f, db);
        List<String> progress = new CopyOnWriteArrayList<>();
        try (Catalog catalog = Catalog.embedded(f.home())) {
            catalog.savePlan(plan.id(), "it", "g1,g2", TARGET, PlanJson.write(plan));
            JobStore jobs = new JobStore(catalog);
            MergeControl control = new MergeControl();
            control.chunkSize(100);
            AtomicInteger chunks = new AtomicInteger();
            // at the 5th and 15th chunk the copy waits until g1's stream has been cut and has come back on the same primary
            control.onStage(stage -> {
                if (!stage.equals("copy.between-chunks")) return;
                int n = chunks.incrementAndGet();
                if (n != 5 && n != 15) return;
                try {
                    long restartsBefore = progress.stream().filter(l -> l.startsWith("stream g1: restarting on")).count();
                    Fleet.await("a binlog dump to kill", Duration.ofSeconds(30), () -> {
                        try {
                            return killBinlogDumps(f, "g1") > 0;
                        } catch (Exception e) {
                            return false;
                        }
                    });
                    Fleet.await("g1's stream restarted", Duration.ofSeconds(60),
                            () -> progress.stream().filter(l -> l.startsWith("stream g1: restarting on")).count() > restartsBefore);
                } catch (AssertionError e) {
                    progress.add("test: " + e.getMessage());
                }
            });
            try (MergeJob job = new MergeJob(plan, f.topology(), f.admin(), f.topology().credentials().stream().resolve(), jobs, f.home(), control,
                    line -> { System.out.println(line); progress.add(line); })) {
                job.run(MergeJob.Until.CAUGHT_UP);
            }
            assertThat(jobs.state(plan.id())).as(String.join("\n", progress)).isEqualTo(JobState.STREAMING);
        }
        assertThat(progress).filteredOn(l -> l.startsWith("stream g1: restarting on")).as(String.join("\n", progress)).hasSizeGreaterThanOrEqualTo(2);
        assertThat(progress).noneMatch(l -> l.startsWith("test: "));
        assertThat(MergeRuns.compareShardColumn(f, db + ".t", "v, d, note", SOURCES, TARGET)).isEmpty();
    }

    @Test
    void aRowTheTargetRefusesStopsTheJobNamingTheRowOnce(Fleet f) throws Exception {
        String db = "fail_refused";
        seed(f, db, 50);
        Plan plan = plan(f, db);
        List<String> progress = new CopyOnWriteArrayList<>();
        try (Catalog catalog = Catalog.embedded(f.home())) {
            catalog.savePlan(plan.id(), "it", "g1,g2", TARGET, PlanJson.write(plan));
            JobStore jobs = new JobStore(catalog);
            MergeControl control = new MergeControl();
            try (MergeJob job = new MergeJob(plan, f.topology(), f.admin(), f.topology().credentials().stream().resolve(), jobs, f.home(), control,
                    line -> { System.out.println(line); progress.add(line); })) {
                CompletableFuture<Void> running = MergeRuns.background(job, MergeJob.Until.STOPPED);
                Fleet.await("streaming", Duration.ofSeconds(60), () -> jobs.state(plan.id()) == JobState.STREAMING || running.isDone());
                job.awaitCaughtUp();
                // the target's column narrower than the source's (an operator's change, a schema drift): 1000 no longer fits
                try (Connection c = f.connect(primary(f, TARGET))) {
                    Queries.execute(c, "ALTER TABLE " + db + ".t MODIFY v SMALLINT NOT NULL");
                }
                try (Connection c = f.connect(primary(f, "g2"))) {
                    Queries.execute(c, "UPDATE " + db + ".t SET v = 100000 WHERE id = 7");
                }
                Fleet.await("the job stopped", Duration.ofSeconds(60), running::isDone);
                assertThat(jobs.state(plan.id())).isEqualTo(JobState.FAILED);
                String reason = jobs.reason(plan.id());
                assertThat(reason).contains("source g2").contains("table t").contains("key [7,\"g2\"]").contains("column v").containsIgnoringCase("out of range");
                assertThat(progress).as("refused once, never restarted into the same row").noneMatch(l -> l.startsWith("stream g2 failed"));
            }
        }
    }

    @Test
    void anInvalidCalendarDateTheDecoderCannotReadStopsTheJobAfterThreeTries(Fleet f) throws Exception {
        String db = "fail_invalid_date";
        seed(f, db, 50);
        try (Connection c = f.connect(primary(f, "g1"))) {
            Queries.execute(c, "SET SESSION sql_mode = 'ALLOW_INVALID_DATES'");
            Queries.execute(c, "INSERT INTO " + db + ".t VALUES (1000, 1, '2021-04-31', 'stored under a legacy mode')");
        }
        Plan plan = plan(f, db);
        List<String> progress = new CopyOnWriteArrayList<>();
        try (Catalog catalog = Catalog.embedded(f.home())) {
            catalog.savePlan(plan.id(), "it", "g1,g2", TARGET, PlanJson.write(plan));
            JobStore jobs = new JobStore(catalog);
            try (MergeJob job = new MergeJob(plan, f.topology(), f.admin(), f.topology().credentials().stream().resolve(), jobs, f.home(), new MergeControl(),
                    line -> { System.out.println(line); progress.add(line); })) {
                CompletableFuture<Void> running = MergeRuns.background(job, MergeJob.Until.STOPPED);
                Fleet.await("streaming", Duration.ofSeconds(60), () -> jobs.state(plan.id()) == JobState.STREAMING || running.isDone());
                job.awaitCaughtUp();
                // the copy carried it exactly: only the stream's decoder cannot represent it
                try (Connection c = f.connect(primary(f, TARGET))) {
                    assertThat(Queries.string(c, "SELECT d FROM " + db + ".t WHERE id = 1000 AND _shard = 'g1'")).isEqualTo("2021-04-31");
                }
                try (Connection c = f.connect(primary(f, "g1"))) {
                    Queries.execute(c, "SET SESSION sql_mode = 'ALLOW_INVALID_DATES'");
                    Queries.execute(c, "UPDATE " + db + ".t SET d = '2021-02-30' WHERE id = 9");
                }
                Fleet.await("the job stopped", Duration.ofSeconds(120), running::isDone);
                assertThat(jobs.state(plan.id())).isEqualTo(JobState.FAILED);
                // the decoder's own words, not only Debezium's wrapper
                assertThat(jobs.reason(plan.id())).contains("stream of source g1 failed 3 times in a row at the same position").containsIgnoringCase("invalid date");
                assertThat(progress.stream().filter(l -> l.startsWith("stream g1 failed")).count()).isBetween(2L, 3L);
                running.handle((v, e) -> null).get(10, TimeUnit.SECONDS);
            }
        }
    }
}
