package io.shardkit.sandbox;

import io.shardkit.mysql.Flavor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Server software for sandbox instances: where the binaries are, how to make a datadir, configure and start. */
interface ServerKit {

    /** Files of one instance. */
    record InstanceFiles(Path dir, Path dataDir, Path config, Path socket, Path pidFile, Path errorLog, Path initFile) {
        static InstanceFiles under(Path dir, Path socketDir, String name) {
            return new InstanceFiles(dir, dir.resolve("data"), dir.resolve("my.cnf"), socketDir.resolve(name + ".sock"),
                    dir.resolve("mysqld.pid"), dir.resolve("error.log"), dir.resolve("init.sql"));
        }
    }

    String describe();

    /** The flavor used for bootstrap SQL (the sandbox knows exactly which server it runs). */
    Flavor flavor();

    /** A clean initialized datadir to copy from, created once per machine and version under {@code cache}. */
    Path template(Path cache);

    /** The option file of one instance. */
    String config(InstanceFiles files, List<String> bindAddresses, int serverId, String reportHost);

    /** Command line that starts the server in the foreground; {@code initFile} only on the first start. */
    List<String> command(InstanceFiles files, boolean firstStart);

    Map<String, String> environment();

    /** Option lines every flavor shares: files, addresses, the binlog shape replication and streaming need. */
    static String commonSettings(InstanceFiles f, List<String> bind, int serverId, String reportHost) {
        return String.join("\n",
                "user=root",
                "datadir=" + f.dataDir(),
                "socket=" + f.socket(),
                "pid-file=" + f.pidFile(),
                "log-error=" + f.errorLog(),
                "port=3306",
                "bind-address=" + String.join(",", bind),
                "report-host=" + reportHost,
                "server-id=" + serverId,
                "log-bin=binlog",
                "relay-log=relay",
                "binlog-format=ROW",
                "binlog-row-image=FULL",
                "log-slave-updates=ON",
                // a replica whose source went silent (a dead host sends no FIN) reconnects after 2 s, not the default minute:
                // failover reads that as "the replica lost its primary" (heartbeats come every second)
                "slave-net-timeout=2",
                // every server starts read-only: only an explicit promotion opens it for writes
                "read-only=ON",
                "skip-name-resolve",
                "innodb-buffer-pool-size=32M",
                // durability is the OS page cache's: a killed host in the sandbox is a killed process, not a lost kernel
                "innodb-flush-log-at-trx-commit=2",
                "sync-binlog=0",
                "performance-schema=OFF",
                "max-connections=300",
                "character-set-server=utf8mb4");
    }

    static ServerKit of(SandboxSpec.ServerFlavor flavor) {
        return switch (flavor) {
            case MARIADB -> new MariaDbKit();
            case MYSQL -> new MySqlKit();
        };
    }
}
