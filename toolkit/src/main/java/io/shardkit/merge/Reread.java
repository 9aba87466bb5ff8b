package io.shardkit.merge;

import static io.shardkit.mysql.SqlText.identifier;

import io.shardkit.mysql.ColumnType;
import io.shardkit.mysql.JdbcValues;
import io.shardkit.mysql.RowWrites;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Reads a row's current values from the server it streams from, for a binlog image whose values
 * the decoder could not carry (zero and partial-zero dates arrive as NULL). Writing the current
 * row instead of the image keeps the target exact: the apply sets whole rows, so a newer state
 * written early is overwritten in turn by each later event of the same row, the last of which
 * carries (or re-reads) the final state; a row gone since is skipped, its delete still to come.
 */
public final class Reread {
    private final String database;
    private final Function<String, DataSource> servers;
    private final Map<String, Map<String, ColumnType>> types = new ConcurrentHashMap<>();

    /** @param servers the pool of each stream's server, by stream name (a source group, or the target of a reverse stream) */
    public Reread(String database, Function<String, DataSource> servers) {
        this.database = database;
        this.servers = servers;
    }

    /**
     * The row with the image's key as the server holds it now, every column its exact value
     * ({@link ColumnType#valueExpr}), or null when no row has that key any more.
     */
    public Map<String, Object> current(String server, String table, List<String> key, Map<String, Object> image) throws SQLException {
        DataSource ds = servers.apply(server);
        if (ds == null) throw new SQLException("no connection to " + server + " to read a row of " + table + " again");
        try (Connection c = ds.getConnection()) {
            Map<String, ColumnType> cols = types.computeIfAbsent(table, t -> read(c, t));
            List<String> names = List.copyOf(cols.keySet());
            String sql = "SELECT " + String.join(", ", names.stream().map(n -> cols.get(n).valueExpr(identifier(n)) + " AS " + identifier(n)).toList())
                    + " FROM " + identifier(database) + "." + identifier(table) + " WHERE "
                    + String.join(" AND ", key.stream().map(k -> identifier(k) + " = ?").toList());
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < key.size(); i++) {
                    Object v = image.get(key.get(i));
                    if (v == null) throw new SQLException("key column " + key.get(i) + " of " + table + " has no value the stream could carry: the row cannot be read again");
                    RowWrites.bind(ps, i + 1, v);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return null;
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 0; i < names.size(); i++) row.put(names.get(i), JdbcValues.read(rs, i + 1, cols.get(names.get(i))));
                    return row;
                }
            }
        }
    }

    private Map<String, ColumnType> read(Connection c, String table) {
        try {
            TableSchema s = SchemaReader.read(c, database, table);
            if (s == null) throw new IllegalStateException("table " + database + "." + table + " is gone");
            Map<String, ColumnType> out = new LinkedHashMap<>();
            for (TableSchema.Column col : s.columns()) if (!col.isGenerated()) out.put(col.name(), col.type());
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the columns of " + database + "." + table + ": " + e.getMessage(), e);
        }
    }
}
