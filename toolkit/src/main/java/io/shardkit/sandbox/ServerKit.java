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

    static ServerKit of(SandboxSpec.ServerFlavor flavor) {
        return switch (flavor) {
            case MARIADB -> new MariaDbKit();
            case MYSQL -> new MySqlKit();
        };
    }
}
