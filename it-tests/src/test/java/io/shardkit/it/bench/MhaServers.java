package io.shardkit.it.bench;

import io.shardkit.it.fixture.Fleet;
import io.shardkit.mysql.Queries;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;

/**
 * What a group's MariaDB servers need before MHA 0.58 can fail them over, done as an operator would
 * on their own servers, with nothing in MHA changed and no restart:
 * <ul>
 * <li>{@code @@global.super_read_only}: MHA reads it (with errors fatal) on the new master before it
 * applies relay-log differences, and MariaDB has no such variable. A daemon plugin registers it,
 * always OFF (resources/mha/super_read_only.c, built here with gcc and cached under target/mha).
 * <li>{@code relay_log_purge=0}, as MHA's documentation asks: it rebuilds a lagging replica's
 * missing events from the latest replica's relay logs.
 * </ul>
 */
final class MhaServers {
    static final Path PLUGIN_HEADER = Path.of("/usr/include/mariadb/server/mysql/plugin.h");
    private static final String PLUGIN = "super_read_only";

    private final Fleet f;
    private final Path dir;

    MhaServers(Fleet f, Path dir) {
        this.f = f;
        this.dir = dir;
    }

    /** The plugin loaded and relay logs kept on every member. */
    void prepare(List<String> members) throws Exception {
        Path library = library();
        for (String m : members) {
            try (Connection c = f.connect(m)) {
                Path pluginDir = Path.of(Queries.string(c, "SELECT @@plugin_dir"));
                copyIfChanged(library, pluginDir.resolve(PLUGIN + ".so"));
                if (Queries.string(c, "SELECT COUNT(*) FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'super'").equals("0")) {
                    Queries.execute(c, "SET SESSION sql_log_bin = 0"); // never in a binlog: no replica should try to load it again
                    Queries.execute(c, "INSTALL SONAME '" + PLUGIN + "'");
                }
                // until the server restarts; a restarted server (a killed old primary) is no longer in MHA's group
                Queries.execute(c, "SET GLOBAL relay_log_purge = 0");
            }
        }
    }

    /** The directory holding the instance's binary logs (MHA's master_binlog_dir). */
    static String binlogDir(Fleet f, String instance) throws SQLException {
        try (Connection c = f.connect(instance)) {
            return Path.of(Queries.string(c, "SELECT @@log_bin_basename")).getParent().toString();
        }
    }

    /** The plugin built from its source in the repository, once per source and server headers (cached under target/mha). */
    private Path library() throws Exception {
        String source = MhaPeer.resource("mha/" + PLUGIN + ".c");
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(source.getBytes(StandardCharsets.UTF_8));
        sha.update(Files.readAllBytes(Path.of("/usr/include/mariadb/server/mysql_version.h")));
        Path cache = Files.createDirectories(Bench.dir().resolveSibling("mha"));
        Path so = cache.resolve(PLUGIN + "-" + HexFormat.of().formatHex(sha.digest()).substring(0, 12) + ".so");
        if (Files.exists(so)) return so;
        Path c = cache.resolve(PLUGIN + ".c");
        Files.writeString(c, source);
        Path tmp = cache.resolve(so.getFileName() + ".tmp");
        Path out = dir.resolve("plugin-build.log");
        int exit = MhaPeer.run(List.of("gcc", "-shared", "-fPIC", "-O2", "-Wall", "-DMYSQL_DYNAMIC_PLUGIN", "-I/usr/include/mariadb/server",
                "-I/usr/include/mariadb/server/private", "-o", tmp.toString(), c.toString()), out);
        if (exit != 0) throw new IllegalStateException("building the super_read_only plugin failed: " + MhaPeer.tail(out, 20));
        return Files.move(tmp, so, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Into the server's plugin directory, unless the same bytes are there: by rename, never by
     * rewriting in place (a running server maps the old file; truncating it under the server would crash it).
     */
    private static void copyIfChanged(Path library, Path target) throws Exception {
        if (Files.exists(target) && java.util.Arrays.equals(Files.readAllBytes(target), Files.readAllBytes(library))) return;
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.copy(library, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
