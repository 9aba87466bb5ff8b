package io.shardkit.merge;

import io.shardkit.mysql.Flavor;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Which of the privileges a job needs the connected user lacks, globally or on the database. */
final class Grants {
    static final List<String> SOURCE = List.of("SELECT", "RELOAD", "REPLICATION SLAVE", "REPLICATION CLIENT");
    static final List<String> TARGET = List.of("SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP", "INDEX");

    private Grants() {}

    static List<String> missing(Connection c, Flavor flavor, String database, List<String> needed) throws SQLException {
        Set<String> held = new HashSet<>();
        String grantee;
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT CURRENT_USER()")) {
            rs.next();
            String cu = rs.getString(1);
            int at = cu.lastIndexOf('@');
            grantee = "'" + cu.substring(0, at) + "'@'" + cu.substring(at + 1) + "'";
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?")) {
            ps.setString(1, grantee);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) held.add(rs.getString(1));
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT PRIVILEGE_TYPE FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ? AND ? LIKE TABLE_SCHEMA")) {
            ps.setString(1, grantee);
            ps.setString(2, database);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) held.add(rs.getString(1));
            }
        }
        List<String> out = new ArrayList<>();
        for (String p : needed) if (!held.contains(flavor.listedPrivilege(p)) && !held.contains(p)) out.add(p);
        return out;
    }
}
