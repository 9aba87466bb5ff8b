package io.shardkit.shell.daemon;

import io.shardkit.catalog.Catalog;
import io.shardkit.failover.Monitor;
import io.shardkit.schedule.Leadership;
import io.shardkit.schedule.ScheduleStore;
import io.shardkit.schedule.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a daemon does for its fleet besides serving commands: while it leads (or alone, without
 * ZooKeeper), it runs the failover monitor and fires due schedules; always, it keeps its metrics
 * current. Leading is asked before every monitor round and every schedule claim: a daemon that
 * stops leading finishes no round it has not begun, claims nothing more, and interrupts its runs.
 */
public final class FleetDuties implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FleetDuties.class);

    private final String id;
    private final Leadership leadership;
    private final Supplier<Monitor> monitors;
    private final Catalog catalog;
    private final Scheduler scheduler;
    private final ScheduleStore store;
    private final DaemonMetrics metrics;
    private final BooleanSupplier leading;
    private volatile boolean closing;
    private volatile Monitor monitor;
    private volatile Instant leadingSince;
    /** True from the duty loop's "leads" until the lead's loss is announced (once per loss, by whoever sees it first). */
    private final java.util.concurrent.atomic.AtomicBoolean leads = new java.util.concurrent.atomic.AtomicBoolean();
    private final Thread loop;
    /** A running merge's status as 'merge status' reads it, or null without a topology. */
    private final java.util.function.Function<String, io.shardkit.merge.MergeStatus> mergeStatus;

    /**
     * @param leadership null: a daemon alone, which leads as long as it runs
     * @param monitors builds and starts a monitor for the topology (null: no topology, no monitor)
     */
    public FleetDuties(String id, Leadership leadership, Supplier<Monitor> monitors, Catalog catalog, Scheduler.Runner runner, DaemonMetrics metrics,
                       java.util.function.Function<String, io.shardkit.merge.MergeStatus> mergeStatus) {
        this.mergeStatus = mergeStatus;
        this.id = id;
        this.leadership = leadership;
        this.monitors = monitors;
        this.catalog = catalog;
        this.metrics = metrics;
        this.leading = () -> !closing && (leadership == null || leadership.acting());
        this.store = new ScheduleStore(catalog);
        this.scheduler = new Scheduler(store, id, leading, runner, metrics::scheduleRun, Clock.systemUTC());
        this.loop = new Thread(this::run, "fleet-duties");
        loop.setDaemon(true);
        // the duty loop may be inside a catalog call that waits on a cut-off network (up to its 15 s socket
        // timeout): a lost lead interrupts the schedule runs from ZooKeeper's event, not when the loop gets back
        if (leadership != null) leadership.onStop(this::announceLoss);
    }

    private void announceLoss() {
        if (leads.compareAndSet(true, false)) {
            LOG.warn("{} no longer leads: stops monitoring, interrupts {} schedule runs", id, scheduler.running());
            scheduler.interruptAll();
        }
    }

    public void start() {
        loop.start();
    }

    /** True while this daemon acts for the fleet. */
    public boolean leading() {
        return leading.getAsBoolean();
    }

    /**
     * The duty loop: on becoming leader, runs left RUNNING by an earlier leader are marked abandoned
     * and a monitor starts (on its own thread); each second, due schedules fire; on losing the lead,
     * the monitor stops after its round and schedule runs are interrupted.
     */
    private void run() {
        Thread monitorThread = null;
        long lastCatalogRefresh = 0;
        boolean wasLeading = false;
        while (!closing) {
            boolean now = leading.getAsBoolean();
            try {
                if (now && !wasLeading) {
                    leadingSince = Instant.now();
                    LOG.info("{} leads: monitoring and firing schedules", id);
                    int abandoned = store.abandonOthers(id);
                    if (abandoned > 0) LOG.warn("{} schedule runs of an earlier leader were still marked running: now ABANDONED", abandoned);
                    if (monitors != null) monitorThread = startMonitor();
                } else if (!now && wasLeading) {
                    leadingSince = null;
                    announceLoss(); // unless the event did already
                    monitorThread = stopMonitor(monitorThread);
                }
                if (now) leads.set(true); // also after a loss and a return too quick for this loop to see
                wasLeading = now;
                if (now) {
                    scheduler.tick();
                    if (monitorThread != null && !monitorThread.isAlive()) monitorThread = startMonitor(); // it failed: try again
                }
                Monitor m = monitor;
                if (m != null) metrics.monitor(m);
                if (System.nanoTime() - lastCatalogRefresh > 2_000_000_000L) {
                    metrics.refreshCatalog(catalog, mergeStatus);
                    lastCatalogRefresh = System.nanoTime();
                }
            } catch (RuntimeException e) {
                LOG.warn("fleet duties: {}", e.toString(), e);
            }
            try {
                Thread.sleep(now ? 200 : 100);
            } catch (InterruptedException e) {
                break;
            }
        }
        scheduler.interruptAll();
        stopMonitor(monitorThread);
    }

    private Thread startMonitor() {
        Thread t = new Thread(() -> {
            try (Monitor m = monitors.get()) {
                monitor = m;
                m.run(() -> !leading.getAsBoolean());
                monitor = null; // /health counts the rounds of the monitor that runs, not of one that stopped
                if (!m.awaitRecoveries(Duration.ofSeconds(60))) LOG.warn("recoveries still running 60 s after this daemon stopped leading: interrupted");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                monitor = null;
                LOG.warn("failover monitor stopped: {}", e.getMessage(), e);
                try {
                    Thread.sleep(2_000); // not in a tight loop against a fleet that refuses it
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "fleet-monitor");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private Thread stopMonitor(Thread t) {
        if (t == null) return null;
        try {
            t.join(Duration.ofSeconds(30)); // its round ends, and with it anything it started
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    /** One line for {@code /health} and {@code daemon status}. */
    public String health() {
        String leader = leadership == null ? id : leadership.leader().orElse("");
        Monitor m = monitor;
        return "{\"daemon\":\"" + id + "\",\"leading\":" + leading() + ",\"leader\":\"" + leader + "\",\"leading_since\":"
                + (leadingSince == null ? "null" : "\"" + leadingSince + "\"") + ",\"monitor_rounds\":" + (m == null ? 0 : m.rounds())
                + ",\"schedule_runs_in_progress\":" + scheduler.running() + ",\"stopped_leading_at\":"
                + (leadership == null || leadership.stoppedAt() == null ? "null" : "\"" + leadership.stoppedAt() + "\"") + "}";
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    @Override
    public void close() {
        closing = true;
        scheduler.interruptAll();
        try {
            loop.join(35_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scheduler.close();
    }
}
