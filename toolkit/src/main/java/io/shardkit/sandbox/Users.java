package io.shardkit.sandbox;

import io.shardkit.mysql.Flavor;
import io.shardkit.mysql.Secret;
import io.shardkit.mysql.Statement;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** The least-privilege accounts every sandbox instance gets, one per purpose. */
public final class Users {
    public static final String ADMIN = "shardkit_admin";
    public static final String REPLICATION = "shardkit_repl";
    public static final String STREAM = "shardkit_stream";
    public static final String APP = "shardkit_app";

    /** Grants per user; STREAM is what Debezium's MySQL/MariaDB connectors document as required. */
    static final Map<String, String> GRANTS = Map.of(
            ADMIN, "ALL PRIVILEGES ON *.* TO '" + ADMIN + "'@'%' WITH GRANT OPTION",
            REPLICATION, "REPLICATION SLAVE ON *.* TO '" + REPLICATION + "'@'%'",
            STREAM, "SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, LOCK TABLES ON *.* TO '" + STREAM + "'@'%'",
            APP, "SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER, CREATE TEMPORARY TABLES ON *.* TO '" + APP + "'@'%'");

    static final List<String> ALL = List.of(ADMIN, REPLICATION, STREAM, APP);

    private Users() {}

    static Secret newPassword(SecureRandom random) {
        byte[] b = new byte[15]; // 30 hex characters: MySQL caps replication passwords at 32
        random.nextBytes(b);
        return Secret.of(HexFormat.of().formatHex(b));
    }

    /** Bootstrap statements, kept out of the binlog so that every member starts with an empty GTID history. */
    static List<Statement> bootstrap(Flavor flavor, Map<String, Secret> passwords) {
        List<Statement> out = new ArrayList<>();
        out.add(Statement.of("SET sql_log_bin = 0"));
        for (String u : ALL) {
            out.add(flavor.createUser(u, passwords.get(u)));
            out.add(Statement.of("GRANT " + GRANTS.get(u)));
        }
        return out;
    }

    /** The option file holding the passwords, one section per user (mode 600). */
    static String optionFile(Map<String, Secret> passwords) {
        StringBuilder sb = new StringBuilder("# shardkit sandbox credentials (mode 600): referenced by topology.yaml, never copied into it\n");
        sections().forEach((section, user) -> sb.append('[').append(section).append("]\nuser=").append(user)
                .append("\npassword=").append(passwords.get(user).reveal()).append("\n\n"));
        return sb.toString();
    }

    static Map<String, String> sections() {
        return new java.util.TreeMap<>(Map.of("shardkit-admin", ADMIN, "shardkit-repl", REPLICATION, "shardkit-stream", STREAM, "shardkit-app", APP));
    }
}
