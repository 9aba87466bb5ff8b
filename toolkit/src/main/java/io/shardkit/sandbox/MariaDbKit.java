package io.shardkit.sandbox;

import io.shardkit.mysql.Flavor;
import io.shardkit.mysql.Flavors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Debian's MariaDB server (mariadbd, mariadb-install-db); semi-sync is built in. */
final class MariaDbKit implements ServerKit {

    private static final Path MARIADBD = Path.of("/usr/sbin/mariadbd");

    @Override
    public String describe() {
        return "mariadb " + version();
    }

    @Override
    public Flavor flavor() {
        return Flavors.MARIADB;
    }

    private String version() {
        if (!Files.isExecutable(MARIADBD)) {
            throw new SandboxException("MariaDB server not found at " + MARIADBD + ": run 'apt-get install -y mariadb-server' (the README's setup command does)");
        }
        String v = Exec.check(MARIADBD.toString(), "--version");
        var m = java.util.regex.Pattern.compile("Ver (\\S+)").matcher(v);
        return m.find() ? m.group(1) : "unknown";
    }

    @Override
    public Path template(Path cache) {
        return Templates.ensure(cache.resolve("template-mariadb-" + version()), dir -> Exec.check("mariadb-install-db", "--no-defaults",
                "--datadir=" + dir, "--user=root", "--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve"));
    }

    @Override
    public String config(InstanceFiles f, List<String> bind, int serverId, String reportHost) {
        return String.join("\n",
                "[mariadbd]",
                ServerKit.commonSettings(f, bind, serverId, reportHost),
                "gtid-strict-mode=ON",
                "collation-server=utf8mb4_general_ci",
                "rpl-semi-sync-master-enabled=ON",
                "rpl-semi-sync-slave-enabled=ON",
                "rpl-semi-sync-master-timeout=1000",
                "");
    }

    @Override
    public List<String> command(InstanceFiles f, boolean firstStart) {
        List<String> cmd = new ArrayList<>(List.of(MARIADBD.toString(), "--defaults-file=" + f.config()));
        if (firstStart) cmd.add("--init-file=" + f.initFile());
        return cmd;
    }

    @Override
    public Map<String, String> environment() {
        return Map.of();
    }
}
