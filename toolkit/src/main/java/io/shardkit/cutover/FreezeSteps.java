package io.shardkit.cutover;

import io.shardkit.catalog.Catalog;
import io.shardkit.mysql.SqlText;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;

/** Steps shared by the cutover and the switch back of a rollback: the freeze and the switch. */
public final class FreezeSteps {
    private FreezeSteps() {}

    /** What to do with application sessions still connected to a frozen server. */
    public enum Sessions { KILL, WAIT }

    public interface GroupTask {
        void run(String group) throws Exception;
    }

    /** Runs the task on every group at once (a freeze must hit every server together); the first failure wins. */
    public static void parallel(List<String> groups, GroupTask task) throws Exception {
        try (ExecutorService ex = Executors.newFixedThreadPool(groups.size())) {
            List<Future<?>> fs = new ArrayList<>();
            for (String g : groups) fs.add(ex.submit(() -> {
                task.run(g);
                return null;
            }));
            for (Future<?> f : fs) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof Exception x) throw x;
                    throw e;
                }
            }
        }
    }

    /** Application sessions: everyone but shardkit's own users and the server's threads. */
    static String othersWhere(Set<String> ownUsers) {
        return io.shardkit.mysql.Sessions.othersWhere(ownUsers);
    }

    /** Ends the application sessions of a frozen server: waits for open transactions first (WAIT), then kills the rest. */
    public static void endSessions(DataSource server, Set<String> ownUsers, Sessions mode, long deadlineNanos) throws Exception {
        try (Connection c = server.getConnection()) {
            if (mode == Sessions.WAIT) {
                // sessions with an open transaction can still only fail at commit; waiting lets them see that themselves
                String open = "SELECT COUNT(*) FROM information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id WHERE p."
                        + othersWhere(ownUsers).replace(" AND ID <>", " AND p.ID <>").replace(" AND COMMAND", " AND p.COMMAND");
                while (Long.parseLong(io.shardkit.mysql.Queries.string(c, open)) > 0 && System.nanoTime() < deadlineNanos) Thread.sleep(10);
            }
            io.shardkit.mysql.Sessions.kill(c, ownUsers, java.time.Duration.ofNanos(Math.max(deadlineNanos - System.nanoTime(), 100_000_000L)));
        }
    }

    /** Records a new shard-map version holding the switch's JSON; returns the version. */
    public static long bumpShardMap(Catalog catalog, String switchJson) {
        Long last = catalog.query("SELECT MAX(map_version) FROM shard_map", rs -> rs.next() ? (Long) rs.getObject(1, Long.class) : null);
        long version = (last == null ? 0 : last) + 1;
        catalog.update("INSERT INTO shard_map (map_version, created_at, map_json) VALUES (?, ?, ?)", version, Timestamp.from(Instant.now()), switchJson);
        return version;
    }
}
