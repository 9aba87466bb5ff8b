package io.shardkit.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires due schedules, on the leader only. Each {@link #tick} looks at every schedule's due times
 * since its last claimed one: those at most {@link #GRACE} old run (each claimed in the catalog,
 * so one daemon runs each due time once); older ones passed while no leader was up and follow the
 * schedule's {@link Schedule.Missed} policy. A run executes on a thread of its own (a consolidation
 * takes hours while other schedules come due) and is interrupted when this daemon stops leading.
 */
public final class Scheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    /** How late a due time may be seen and still run as due: longer than a leader takeover (seconds), far shorter than a day. */
    public static final Duration GRACE = Duration.ofSeconds(60);
    /** Due times counted at most per look: a per-second cron paused for a month is not walked second by second. */
    private static final int MAX_WALK = 10_000;

    /** What runs a schedule's runbook: returns how it ended; it stops early when {@code leading} turns false. */
    @FunctionalInterface
    public interface Runner {
        Result run(Schedule schedule, long runId, Instant fireTime, ScheduleRun.Trigger trigger, BooleanSupplier leading) throws InterruptedException;
    }

    public record Result(ScheduleRun.Outcome outcome, String detail) {}

    private final ScheduleStore store;
    private final String owner;
    private final BooleanSupplier leading;
    private final Runner runner;
    private final BiConsumer<String, ScheduleRun.Outcome> finished;
    private final Clock clock;
    private final Map<Long, Future<?>> running = new ConcurrentHashMap<>();
    /** Schedules with a run in flight on this daemon. */
    private final java.util.Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "schedule-run");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param owner this daemon's name in the runs it claims
     * @param leading true while this daemon may act (confirmed leader); checked before every claim
     * @param finished told each schedule's run outcomes (metrics)
     */
    public Scheduler(ScheduleStore store, String owner, BooleanSupplier leading, Runner runner, BiConsumer<String, ScheduleRun.Outcome> finished, Clock clock) {
        this.store = store;
        this.owner = owner;
        this.leading = leading;
        this.runner = runner;
        this.finished = finished;
        this.clock = clock;
    }

    /** One look at every schedule; returns the runs it started. */
    public List<Long> tick() {
        List<Long> started = new ArrayList<>();
        if (!leading.getAsBoolean()) return started;
        Instant now = clock.instant();
        for (Schedule s : store.list()) {
            if (s.paused()) continue;
            try {
                started.addAll(fire(s, now));
            } catch (RuntimeException e) {
                LOG.warn("schedule {}: could not look at its due times: {}", s.name(), e.toString());
            }
        }
        return started;
    }

    /**
     * One schedule's pending due times, one run at a time: while a run of it is in flight here, the
     * next due time waits for the next look (and runs then, if still within the grace).
     */
    private List<Long> fire(Schedule s, Instant now) {
        List<Long> started = new ArrayList<>();
        if (inFlight.contains(s.name())) return started;
        Instant since = store.lastFireTime(s.name()).orElse(s.createdAt());
        List<Instant> dues = new ArrayList<>();
        for (Instant t = s.cron().next(since); t != null && !t.isAfter(now) && dues.size() < MAX_WALK; t = s.cron().next(t)) dues.add(t);
        if (dues.isEmpty()) return started;
        Instant graceStart = now.minus(GRACE);
        List<Instant> missed = dues.stream().filter(t -> t.isBefore(graceStart)).toList();
        if (!missed.isEmpty()) {
            Instant last = missed.getLast();
            if (s.missed() == Schedule.Missed.RUN_ONCE) {
                claimAndRun(s, last, ScheduleRun.Trigger.LATE, started);
                if (!started.isEmpty()) return started; // the on-time ones follow once it ended
            } else if (leading.getAsBoolean() && store.claim(s.name(), last, owner, ScheduleRun.Trigger.LATE) instanceof ScheduleStore.Claim.Won w) {
                store.finish(w.runId(), ScheduleRun.Outcome.MISSED, missed.size() + (missed.size() == MAX_WALK ? " or more" : "")
                        + " due times passed while no leader was up (policy: skip)");
                finished.accept(s.name(), ScheduleRun.Outcome.MISSED);
            }
        }
        for (Instant t : dues) {
            if (t.isBefore(graceStart)) continue;
            claimAndRun(s, t, ScheduleRun.Trigger.DUE, started);
            if (!started.isEmpty()) break;
        }
        return started;
    }

    /** A run now, whatever the cron says ({@code schedule run-now}); empty when another run of it is in progress. */
    public java.util.Optional<Long> runNow(Schedule s) {
        List<Long> started = new ArrayList<>();
        claimAndRun(s, clock.instant(), ScheduleRun.Trigger.MANUAL, started);
        return started.stream().findFirst();
    }

    private void claimAndRun(Schedule s, Instant fireTime, ScheduleRun.Trigger trigger, List<Long> started) {
        if (!leading.getAsBoolean()) return; // lost the lead during this tick: claim nothing more
        switch (store.claim(s.name(), fireTime, owner, trigger)) {
            case ScheduleStore.Claim.Won w -> {
                started.add(w.runId());
                inFlight.add(s.name());
                LOG.info("schedule {}: run {} for {} ({})", s.name(), w.runId(), fireTime, trigger);
                running.put(w.runId(), pool.submit(() -> execute(s, w.runId(), fireTime, trigger)));
            }
            case ScheduleStore.Claim.Overlap o -> {
                LOG.warn("schedule {}: due at {} while run {} still runs: skipped", s.name(), fireTime, o.runningId());
                finished.accept(s.name(), ScheduleRun.Outcome.SKIPPED_OVERLAP);
            }
            case ScheduleStore.Claim.Taken t -> LOG.info("schedule {}: {} was claimed by another daemon", s.name(), fireTime);
        }
    }

    private void execute(Schedule s, long runId, Instant fireTime, ScheduleRun.Trigger trigger) {
        Result r;
        try {
            r = runner.run(s, runId, fireTime, trigger, leading);
            if (!leading.getAsBoolean() && r.outcome() != ScheduleRun.Outcome.SUCCEEDED) {
                r = new Result(ScheduleRun.Outcome.INTERRUPTED, "this daemon stopped leading while it ran: " + r.detail());
            }
        } catch (InterruptedException e) {
            r = new Result(ScheduleRun.Outcome.INTERRUPTED, "this daemon stopped leading (or stopped) while it ran");
        } catch (RuntimeException e) {
            LOG.warn("schedule {}: run {} failed", s.name(), runId, e);
            r = new Result(ScheduleRun.Outcome.FAILED, e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            running.remove(runId);
        }
        try {
            store.finish(runId, r.outcome(), r.detail());
        } catch (RuntimeException e) {
            LOG.warn("schedule {}: could not record the end of run {} ({}): {}", s.name(), runId, r.outcome(), e.toString());
        }
        inFlight.remove(s.name()); // after its end is recorded: the next due time is looked at only then
        finished.accept(s.name(), r.outcome());
    }

    /** Runs in progress on this daemon (one per schedule at most), until each one's end is recorded. */
    public int running() {
        running.values().removeIf(Future::isDone); // a run that ended before its future was filed in
        return inFlight.size(); // a run counts until its end is recorded in the catalog
    }

    /** Interrupts every run in progress (this daemon stopped leading); each records itself INTERRUPTED. */
    public void interruptAll() {
        running.values().forEach(f -> f.cancel(true));
    }

    @Override
    public void close() {
        interruptAll();
        pool.shutdownNow();
    }
}
