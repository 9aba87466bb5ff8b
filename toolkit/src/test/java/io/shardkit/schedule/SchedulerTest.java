package io.shardkit.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.catalog.Catalog;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scheduler's rules on a real (embedded) catalog: one claim per due time, no overlap, the missed-time policies, nothing when not leading. */
class SchedulerTest {
    private static final Instant T0 = Instant.parse("2026-12-02T10:00:30Z");

    private static Schedule every(String name, String cron, Schedule.Missed missed) {
        return new Schedule(name, Cron.parse(cron, "UTC"), "catalog status\n", "/rb/" + name + ".sk", Map.of("k", "v"), missed, false, T0);
    }

    private static void awaitIdle(Scheduler s) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (s.running() > 0 && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(s.running()).isZero();
    }

    @Test
    void aDueTimeIsClaimedOnceAndASecondRunWaitsForTheFirst(@TempDir Path home) {
        try (Catalog c = Catalog.embedded(home)) {
            ScheduleStore store = new ScheduleStore(c);
            store.add(every("nightly", "0 3 * * *", Schedule.Missed.RUN_ONCE), false);
            Instant due = Instant.parse("2026-12-03T03:00:00Z");
            var first = store.claim("nightly", due, "zone-a", ScheduleRun.Trigger.DUE);
            assertThat(first).isInstanceOf(ScheduleStore.Claim.Won.class);
            assertThat(store.claim("nightly", due, "zone-b", ScheduleRun.Trigger.DUE)).isInstanceOf(ScheduleStore.Claim.Taken.class);
            // the next due time while the first still runs: recorded as skipped, not run
            assertThat(store.claim("nightly", due.plusSeconds(86_400), "zone-a", ScheduleRun.Trigger.DUE)).isInstanceOf(ScheduleStore.Claim.Overlap.class);
            store.finish(((ScheduleStore.Claim.Won) first).runId(), ScheduleRun.Outcome.SUCCEEDED, "ok");
            List<ScheduleRun> h = store.history("nightly", 10);
            assertThat(h).extracting(ScheduleRun::outcome).containsExactly(ScheduleRun.Outcome.SKIPPED_OVERLAP, ScheduleRun.Outcome.SUCCEEDED);
            assertThat(store.get("nightly").orElseThrow().vars()).isEqualTo(Map.of("k", "v"));
        }
    }

    @Test
    void dueTimesMissedWithoutALeaderRunOnceLateOrAreSkippedByPolicy(@TempDir Path home) throws Exception {
        try (Catalog c = Catalog.embedded(home)) {
            ScheduleStore store = new ScheduleStore(c);
            store.add(every("once", "* * * * *", Schedule.Missed.RUN_ONCE), false);
            store.add(every("skip", "* * * * *", Schedule.Missed.SKIP), false);
            AtomicInteger ran = new AtomicInteger();
            Clock tenMinutesLater = Clock.fixed(T0.plusSeconds(600), ZoneOffset.UTC);
            try (Scheduler s = new Scheduler(store, "zone-a", () -> true, (sc, id, at, trig, leading) -> {
                ran.incrementAndGet();
                return new Scheduler.Result(ScheduleRun.Outcome.SUCCEEDED, "ok");
            }, (n, o) -> { }, tenMinutesLater)) {
                s.tick(); // "once": the late run; "skip": the missed row and the on-time run
                awaitIdle(s);
                s.tick(); // "once": the on-time run, once the late one ended
                awaitIdle(s);
                // 10:01 .. 10:10 were due; 10:10 is within the grace (on time), the nine before are missed
                assertThat(store.history("once", 10)).extracting(ScheduleRun::trigger, ScheduleRun::outcome).containsExactly(
                        org.assertj.core.groups.Tuple.tuple(ScheduleRun.Trigger.DUE, ScheduleRun.Outcome.SUCCEEDED),
                        org.assertj.core.groups.Tuple.tuple(ScheduleRun.Trigger.LATE, ScheduleRun.Outcome.SUCCEEDED));
                assertThat(store.history("skip", 10)).extracting(ScheduleRun::trigger, ScheduleRun::outcome).containsExactly(
                        org.assertj.core.groups.Tuple.tuple(ScheduleRun.Trigger.DUE, ScheduleRun.Outcome.SUCCEEDED),
                        org.assertj.core.groups.Tuple.tuple(ScheduleRun.Trigger.LATE, ScheduleRun.Outcome.MISSED));
                assertThat(store.history("skip", 10).get(1).detail()).startsWith("9 due times passed");
                assertThat(ran.get()).isEqualTo(3);
                s.tick(); // nothing new is due
                awaitIdle(s);
                assertThat(ran.get()).isEqualTo(3);
            }
        }
    }

    @Test
    void aDaemonThatDoesNotLeadClaimsNothingAndLosingTheLeadInterruptsItsRun(@TempDir Path home) throws Exception {
        try (Catalog c = Catalog.embedded(home)) {
            ScheduleStore store = new ScheduleStore(c);
            store.add(new Schedule("often", Cron.parse("* * * * * ?", "UTC"), "catalog status\n", "/rb/often.sk", Map.of(), Schedule.Missed.SKIP, false,
                    Instant.now()), false);
            AtomicBoolean leading = new AtomicBoolean(false);
            CountDownLatch started = new CountDownLatch(1);
            try (Scheduler s = new Scheduler(store, "zone-b", leading::get, (sc, id, at, trig, l) -> {
                started.countDown();
                Thread.sleep(60_000); // a long runbook line
                return new Scheduler.Result(ScheduleRun.Outcome.SUCCEEDED, "ok");
            }, (n, o) -> { }, Clock.systemUTC())) {
                Thread.sleep(1_100);
                assertThat(s.tick()).isEmpty();
                assertThat(store.history("often", 10)).isEmpty();
                leading.set(true);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (s.tick().isEmpty() && System.nanoTime() < deadline) Thread.sleep(100);
                assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
                leading.set(false);
                s.interruptAll();
                awaitIdle(s);
                assertThat(store.history("often", 10)).extracting(ScheduleRun::outcome).containsExactly(ScheduleRun.Outcome.INTERRUPTED);
                assertThat(store.abandonOthers("zone-c")).isZero(); // nothing left RUNNING
            }
        }
    }
}
