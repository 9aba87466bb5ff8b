package io.shardkit.it.merge;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardkit.it.fixture.Fleet;
import io.shardkit.mysql.Queries;
import io.shardkit.shell.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * merge plan against real servers: collisions found exactly, strategies planned, and every bad
 * input refused with its code, a non-zero exit and no change on any server (GTIDs unchanged).
 * Fleet: g1, g2 sources; g3 target; g4 spare.
 */
abstract class MergePlanScenarios {

    record Cli(int exit, String out, String err) {}

    static Cli cli(Fleet f, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] full = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--home", f.home().toString(), "--sandbox", f.name()))
                .toArray(String[]::new);
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), full);
        return new Cli(code, out.toString(), err.toString());
    }

    static String primary(Fleet f, String group) {
        return f.discover().group(group).primary().orElseThrow();
    }

    static void sql(Fleet f, String group, String... statements) throws Exception {
        try (Connection c = f.connect(primary(f, group))) {
            for (String s : statements) Queries.execute(c, s);
        }
    }

    /**
     * GTID executed on every instance, once replicas have caught up with their primaries: equal before
     * and after means the command wrote nothing anywhere.
     */
    static Map<String, String> gtids(Fleet f) {
        Fleet.await("replicas caught up", java.time.Duration.ofSeconds(20), () -> f.discover().groups().stream()
                .allMatch(g -> g.members().stream().allMatch(s -> g.gtidBehind(s.instance()) == 0)));
        Map<String, String> out = new LinkedHashMap<>();
        f.discover().states().forEach((i, s) -> out.put(i, s.gtidExecuted().format()));
        return out;
    }

    @BeforeAll
    static void schema(Fleet f) throws Exception {
        for (String g : List.of("g1", "g2")) {
            sql(f, g, "CREATE DATABASE shop",
                    "CREATE TABLE shop.users (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(64) NOT NULL, UNIQUE KEY uq_email (email))"
                            + " CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci",
                    "CREATE TABLE shop.orders (id BIGINT PRIMARY KEY, user_id INT NOT NULL, total DECIMAL(10,2), KEY (user_id))",
                    "CREATE TABLE shop.logs (k INT NOT NULL, v VARCHAR(10), UNIQUE KEY uk (k))");
        }
        // users: ids 1..3 vs 1..2 collide; 'ann@x' vs 'ANN@x' collide under the case-insensitive collation
        sql(f, "g1", "INSERT INTO shop.users (email) VALUES ('ann@x'), ('bob@x'), ('cat@x')",
                "INSERT INTO shop.orders VALUES (10, 1, 5.00), (11, 2, 7.50), (12, 3, 1.25)",
                "INSERT INTO shop.logs VALUES (1, 'a'), (2, 'b')");
        sql(f, "g2", "INSERT INTO shop.users (email) VALUES ('ANN@x'), ('dan@x')",
                "INSERT INTO shop.orders VALUES (100, 1, 9.99), (101, 2, 3.00)",
                "INSERT INTO shop.logs VALUES (3, 'c')");
        sql(f, "g4", "CREATE DATABASE shop", "CREATE TABLE shop.nokey (a INT, b INT)", "CREATE TABLE shop.orders (id BIGINT PRIMARY KEY, user_id INT NOT NULL, total DECIMAL(12,2), KEY (user_id))");
    }

    @Test
    void rejectNamesEveryCollidingTableWithCountsAndExamples(Fleet f) {
        Map<String, String> before = gtids(f);
        Cli r = cli(f, "merge", "plan", "--from", "g1,g2", "--into", "g3", "--database", "shop", "--id", "reject-1");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
        assertThat(r.err()).contains("KEY_COLLISION shop.users: 2 value(s) of key PRIMARY[id]")
                .contains("KEY_COLLISION shop.users: 1 value(s) of key uq_email[email]")
                .containsPattern("\\(ann@x\\) in g1, g2|\\(ANN@x\\) in g1, g2")
                .contains("AUTO_INCREMENT_OVERLAP shop.users")
                .doesNotContain("shop.orders:").doesNotContain("shop.logs:")
                .contains("nothing was changed");
        assertThat(gtids(f)).isEqualTo(before);
        assertThat(cli(f, "merge", "plan", "--from", "g1,g2", "--into", "g3", "--database", "shop", "--tables", "orders,logs", "--id", "ok-1").exit()).isZero();
    }

    @Test
    void offsetPlansDisjointRangesWithHeadroom(Fleet f) {
        Cli r = cli(f, "merge", "plan", "--from", "g1,g2", "--into", "g3", "--database", "shop", "--tables", "orders", "--keys", "offset",
                "--id", "off-1", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("\"offsets\" : {").contains("\"g1\" : 0").contains("\"g2\" : 1000").contains("\"headroom\"");
        // users: the row key is offset, but the email unique key still collides by itself
        Cli users = cli(f, "merge", "plan", "--from", "g1,g2", "--into", "g3", "--database", "shop", "--tables", "users", "--keys", "offset", "--id", "off-2");
        assertThat(users.exit()).isEqualTo(3);
        assertThat(users.err()).contains("KEY_COLLISION shop.users: 1 value(s) of unique key uq_email[email]").doesNotContain("PRIMARY[id] exist");
    }

    @Test
    void shardColumnAcceptsCollisionsAndIsStored(Fleet f) {
        Cli r = cli(f, "merge", "plan", "--from", "g1,g2", "--into", "g3", "--database", "shop", "--tables", "users,orders,logs",
                "--keys", "shard-column", "--id", "shard-1");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("+_shard in every key").contains("plan shard-1 stored in the catalog").contains("estimate: 13 rows");
        Cli again = cli(f, "merge", "plan", "--from", "g1,g2", "--into", "g3", "--database", "shop", "--keys", "shard-column", "--id", "shard-1");
        assertThat(again.exit()).isEqualTo(3);
        assertThat(again.err()).contains("already exists");
    }

    @Test
    void badInputsAreRefusedByNameAndChangeNothing(Fleet f) throws Exception {
        Map<String, String> before = gtids(f);
        Cli unknown = cli(f, "merge", "plan", "--from", "g1,g9", "--into", "g3", "--database", "shop");
        assertThat(unknown.exit()).isEqualTo(3);
        assertThat(unknown.err()).contains("UNKNOWN_GROUP g9: no group 'g9'");

        Cli noKey = cli(f, "merge", "plan", "--from", "g1,g4", "--into", "g3", "--database", "shop", "--tables", "nokey");
        assertThat(noKey.err()).contains("NO_SUCH_TABLE shop.nokey: missing on source g1");
        Cli noKey2 = cli(f, "merge", "plan", "--from", "g4", "--into", "g3", "--database", "shop", "--tables", "nokey");
        assertThat(noKey2.exit()).isEqualTo(3);
        assertThat(noKey2.err()).contains("NO_KEY shop.nokey: has no primary key");

        Cli mismatch = cli(f, "merge", "plan", "--from", "g1,g4", "--into", "g3", "--database", "shop", "--tables", "orders");
        assertThat(mismatch.exit()).isEqualTo(3);
        assertThat(mismatch.err()).contains("SCHEMA_MISMATCH shop.orders: orders.total: type decimal(10,2) on g1, decimal(12,2) on g4");

        Cli noDb = cli(f, "merge", "plan", "--from", "g1", "--into", "g3", "--database", "nosuchdb");
        assertThat(noDb.err()).contains("NO_SUCH_DATABASE g1: database 'nosuchdb' does not exist");
        assertThat(gtids(f)).isEqualTo(before);

        sql(f, "g1", "SET GLOBAL binlog_format = 'STATEMENT'");
        try {
            Cli stmt = cli(f, "merge", "plan", "--from", "g1,g2", "--into", "g3", "--database", "shop", "--tables", "orders");
            assertThat(stmt.exit()).isEqualTo(3);
            assertThat(stmt.err()).contains("BINLOG_FORMAT " + primary(f, "g1") + ": binlog_format=STATEMENT (ROW needed)");
        } finally {
            sql(f, "g1", "SET GLOBAL binlog_format = 'ROW'");
        }

        sql(f, "g2", "REVOKE RELOAD ON *.* FROM 'shardkit_stream'@'%'");
        try {
            Map<String, String> mid = gtids(f);
            Cli grant = cli(f, "merge", "plan", "--from", "g1,g2", "--into", "g3", "--database", "shop", "--tables", "orders");
            assertThat(grant.exit()).isEqualTo(3);
            assertThat(grant.err()).contains("MISSING_GRANT " + primary(f, "g2") + ": user shardkit_stream lacks RELOAD");
            assertThat(gtids(f)).isEqualTo(mid);
        } finally {
            sql(f, "g2", "GRANT RELOAD ON *.* TO 'shardkit_stream'@'%'");
        }

        sql(f, "g3", "CREATE DATABASE IF NOT EXISTS shop", "CREATE TABLE shop.logs (k INT NOT NULL, v VARCHAR(10), UNIQUE KEY uk (k))",
                "INSERT INTO shop.logs VALUES (9, 'z')");
        try {
            Map<String, String> mid = gtids(f);
            Cli notEmpty = cli(f, "merge", "plan", "--from", "g1,g2", "--into", "g3", "--database", "shop", "--tables", "logs");
            assertThat(notEmpty.exit()).isEqualTo(3);
            assertThat(notEmpty.err()).contains("TARGET_NOT_EMPTY shop.logs: already has 1 rows on target");
            assertThat(gtids(f)).isEqualTo(mid);
        } finally {
            sql(f, "g3", "DROP TABLE shop.logs");
        }
    }
}
