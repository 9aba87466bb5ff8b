package io.shardkit.schedule;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.Participant;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One leader among the daemons of several zones, elected through ZooKeeper (Curator's
 * {@link LeaderLatch}: an ephemeral sequential node per daemon, the lowest leads).
 *
 * <p>{@link #acting()} is what the monitor and the scheduler ask before anything they do: it is
 * true only while the latch holds the lead <em>and</em> the ZooKeeper connection is up. A leader
 * cut off from ZooKeeper sees its connection SUSPENDED after two thirds of the session timeout
 * without an answer, and stops acting then; ZooKeeper expires its session (deleting its node, so
 * another daemon leads) only once the whole session timeout has passed. The old leader has stopped
 * before the new one starts, by a third of the session timeout. A leader that dies outright
 * leaves its node until the session expires: takeover then takes about one session timeout.
 *
 * <p>What this cannot promise: a leader whose process is frozen (SIGSTOP, a long GC pause) past
 * its session timeout still believes it leads for an instant after it thaws, until its client
 * sees the expiry. The group locks in the catalog and fencing of old primaries stand behind it.
 */
public final class Leadership implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);
    /**
     * The default session timeout. Takeover after a leader's death takes this long plus up to one
     * ZooKeeper tick (the server expires sessions in tick-sized buckets): 3-4 s with tickTime=1000.
     * A server with the shipped tickTime=2000 raises any session below 4 s to 4 s (4-6 s then).
     */
    public static final Duration DEFAULT_SESSION = Duration.ofSeconds(3);

    private final CuratorFramework client;
    private final LeaderLatch latch;
    private final String id;
    private volatile ConnectionState connection = ConnectionState.LOST;
    private volatile boolean acting;
    /** How long {@link #leader} waits for ZooKeeper's answer. */
    private static final Duration LEADER_ANSWER = Duration.ofMillis(500);
    private static final java.util.concurrent.ExecutorService ASK = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "leader-ask");
        t.setDaemon(true);
        return t;
    });

    private volatile java.time.Instant stoppedAt;
    /** Run each time this daemon stops acting as leader, see {@link #onStop}. */
    private final java.util.List<Runnable> onStop = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * @param connect ZooKeeper's connect string (host:port,...), optionally with a chroot
     * @param path the latch's path: daemons that manage one fleet share it
     * @param id this daemon's name (zone and host), shown as the leader's
     */
    public Leadership(String connect, String path, String id, Duration session) {
        this.id = id;
        this.client = CuratorFrameworkFactory.builder().connectString(connect).sessionTimeoutMs((int) session.toMillis())
                .connectionTimeoutMs((int) Math.min(session.toMillis(), 15_000)).retryPolicy(new ExponentialBackoffRetry(200, 10, 2_000)).build();
        this.latch = new LeaderLatch(client, path, id);
        client.getConnectionStateListenable().addListener((c, state) -> {
            connection = state;
            LOG.info("ZooKeeper connection {}", state);
            update();
        });
        latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                update();
            }

            @Override
            public void notLeader() {
                update();
            }
        });
    }

    public void start() throws Exception {
        client.start();
        latch.start();
    }

    /** True while this daemon leads and is connected to ZooKeeper: only then may it act. */
    public boolean acting() {
        return acting && latch.hasLeadership() && connection.isConnected();
    }

    private synchronized void update() {
        boolean now = latch.hasLeadership() && connection.isConnected();
        if (now == acting) return;
        acting = now;
        if (!now) stoppedAt = java.time.Instant.now();
        LOG.info("{} {} acting as leader", id, now ? "starts" : "stops");
        if (!now) {
            for (Runnable r : onStop) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.warn("on stopping as leader: {}", e.toString(), e);
                }
            }
        }
    }

    /**
     * Runs {@code r} each time this daemon stops acting as leader, at once, on ZooKeeper's event
     * thread (so it must not block): whatever the daemon is doing meanwhile, a catalog call that
     * waits on a cut-off network included, what must end with the lead ends then.
     */
    public void onStop(Runnable r) {
        onStop.add(r);
    }

    /**
     * The current leader's id as ZooKeeper has it, or empty (none, or ZooKeeper unreachable). Never
     * blocks for long: /health and 'daemon status' ask it, and they matter most while ZooKeeper is
     * out of reach, where Curator would retry for many seconds.
     */
    public java.util.Optional<String> leader() {
        if (!connection.isConnected()) return java.util.Optional.empty();
        java.util.concurrent.Future<java.util.Optional<String>> asked = ASK.submit(() -> {
            Participant p = latch.getLeader();
            return p.isLeader() ? java.util.Optional.of(p.getId()) : java.util.Optional.<String>empty();
        });
        try {
            return asked.get(LEADER_ANSWER.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            asked.cancel(true);
            return java.util.Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.empty();
        } catch (java.util.concurrent.ExecutionException e) {
            return java.util.Optional.empty();
        }
    }

    /** When this daemon last stopped acting as leader (lost the latch or its connection), or null. */
    public java.time.Instant stoppedAt() {
        return stoppedAt;
    }

    public String id() {
        return id;
    }

    /** Waits up to {@code timeout} for this daemon to act as leader. */
    public boolean await(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!acting() && System.nanoTime() < deadline) TimeUnit.MILLISECONDS.sleep(20);
        return acting();
    }

    @Override
    public void close() {
        try {
            latch.close(); // deletes this daemon's node: a follower leads at once, no session timeout to wait
        } catch (Exception e) {
            LOG.warn("closing the leader latch: {}", e.toString());
        }
        client.close();
        acting = false;
    }
}
