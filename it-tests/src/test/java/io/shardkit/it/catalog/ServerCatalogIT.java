package io.shardkit.it.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardkit.catalog.Catalog;
import io.shardkit.catalog.CatalogException;
import io.shardkit.it.fixture.Fleet;
import io.shardkit.it.fixture.FleetShape;
import io.shardkit.mysql.Credential;
import io.shardkit.mysql.Queries;
import io.shardkit.mysql.Secret;
import io.shardkit.sandbox.SandboxSpec;
import io.shardkit.topology.Topology;
import java.sql.Connection;
import org.junit.jupiter.api.Test;

/** The same Flyway migrations on a MariaDB server as on the embedded (SQLite) catalog, where they pass through a dialect shim. */
@FleetShape(flavor = SandboxSpec.ServerFlavor.MARIADB, zones = 1, hostsPerZone = 1, groups = 1, replicas = 0)
class ServerCatalogIT {

    @Test
    void migratesOnMariaDbAndStoresJournalAndAudit(Fleet f) throws Exception {
        Topology.Instance i = f.topology().instance("g1-1");
        try (Connection c = f.connect("g1-1")) {
            Queries.execute(c, "CREATE DATABASE IF NOT EXISTS shardkit_catalog");
        }
        String url = "jdbc:mysql://" + i.ip() + ":" + i.port() + "/shardkit_catalog";
        try (Catalog cat = Catalog.external(url, f.admin())) {
            assertThat(cat.schemaVersion()).startsWith(String.valueOf(Catalog.LATEST_VERSION));
            cat.audit("it", "topology check", "ok", null);
            cat.journal("r-9", "g1", 1, "detect", "dead-primary", "{}");
            assertThat(cat.journal("r-9")).hasSize(1);
            assertThat(cat.recentAudit(1).getFirst().command()).isEqualTo("topology check");
        }
        // reopening applies nothing new and keeps the rows
        try (Catalog cat = Catalog.external(url, f.admin())) {
            assertThat(cat.recentAudit(10)).hasSize(1);
        }
        try (Connection c = f.connect("g1-1")) {
            // every table the migrations create, plus Flyway's history: counted, not pinned, so a new migration needs no edit here
            assertThat(Queries.string(c, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'shardkit_catalog'"))
                    .isEqualTo(String.valueOf(tablesTheMigrationsCreate() + 1));
        }
    }

    @Test
    void theShellOpensTheServerCatalogWithCatalogOption(Fleet f, @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Topology.Instance i = f.topology().instance("g1-1");
        try (Connection c = f.connect("g1-1")) {
            Queries.execute(c, "CREATE DATABASE IF NOT EXISTS shardkit_cli_catalog");
        }
        java.nio.file.Path opt = dir.resolve("catalog.cnf");
        java.nio.file.Files.writeString(opt, "[shardkit-catalog]\nuser=" + f.admin().user() + "\npassword=" + f.admin().password().reveal() + "\n");
        var out = new java.io.StringWriter();
        var err = new java.io.StringWriter();
        int code = io.shardkit.shell.Main.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true),
                "--catalog", "jdbc:mysql://" + i.ip() + ":" + i.port() + "/shardkit_cli_catalog", "--catalog-option-file", opt.toString(), "catalog", "status");
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("catalog: external jdbc:mysql://" + i.ip()).contains("schema version: " + Catalog.LATEST_VERSION);
        assertThat(out.toString() + err).doesNotContain(f.admin().password().reveal());
    }

    @Test
    void wrongPasswordIsAClearErrorWithoutTheSecret(Fleet f) {
        Topology.Instance i = f.topology().instance("g1-1");
        String url = "jdbc:mysql://" + i.ip() + ":" + i.port() + "/shardkit_catalog";
        assertThatThrownBy(() -> Catalog.external(url, new Credential(f.admin().user(), Secret.of("wrong-pass-xyz"))))
                .isInstanceOf(CatalogException.class)
                .hasMessageContaining("cannot open catalog")
                .hasMessageContaining("Access denied")
                .hasMessageNotContaining("wrong-pass-xyz");
        assertThatThrownBy(() -> Catalog.external(url + "?password=x", f.admin())).hasMessageContaining("must not contain a password");
    }

    private static long tablesTheMigrationsCreate() throws Exception {
        java.net.URI uri = Catalog.class.getResource("/db/catalog").toURI();
        // the migrations are a directory in a reactor build and a jar entry when the module comes from the local repository
        try (java.nio.file.FileSystem jar = uri.getScheme().equals("jar") ? java.nio.file.FileSystems.newFileSystem(uri, java.util.Map.of()) : null;
             var files = java.nio.file.Files.list(java.nio.file.Path.of(uri))) {
            long n = 0;
            for (java.nio.file.Path p : files.filter(p -> p.toString().endsWith(".sql")).toList()) {
                n += java.util.regex.Pattern.compile("(?i)create\\s+table").matcher(java.nio.file.Files.readString(p)).results().count();
            }
            return n;
        }
    }
}
