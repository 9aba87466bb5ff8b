package io.shardkit.merge;

import static io.shardkit.mysql.SqlText.identifier;

import io.shardkit.mysql.Queries;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Creates the target tables a plan describes, from a source's own definition. */
final class TargetTables {
    private TargetTables() {}

    static void create(Plan plan, Plan.TablePlan t, Connection source, Connection target) throws SQLException {
        String db = plan.database();
        Queries.execute(target, "CREATE DATABASE IF NOT EXISTS " + identifier(db));
        if (SchemaReader.read(target, db, t.table()) != null) return; // planned as absent or empty: an earlier start made it
        String ddl;
        try (var st = source.createStatement(); ResultSet rs = st.executeQuery("SHOW CREATE TABLE " + identifier(db) + "." + identifier(t.table()))) {
            rs.next();
            ddl = rs.getString(2);
        }
        target.setCatalog(db);
        Queries.execute(target, ddl);
        if (plan.strategy() == KeyStrategy.SHARD_COLUMN) {
            TableSchema s = SchemaReader.read(target, db, t.table());
            List<String> alter = new ArrayList<>();
            alter.add("ADD COLUMN " + identifier(t.shardColumn()) + " VARCHAR(128) NOT NULL DEFAULT ''");
            for (TableSchema.Index i : s.uniqueKeys()) {
                List<String> cols = new ArrayList<>(i.columns().stream().map(io.shardkit.mysql.SqlText::identifier).toList());
                cols.add(identifier(t.shardColumn()));
                if (i.primary()) alter.add("DROP PRIMARY KEY, ADD PRIMARY KEY (" + String.join(", ", cols) + ")");
                else alter.add("DROP INDEX " + identifier(i.name()) + ", ADD UNIQUE KEY " + identifier(i.name()) + " (" + String.join(", ", cols) + ")");
            }
            Queries.execute(target, "ALTER TABLE " + identifier(db) + "." + identifier(t.table()) + " " + String.join(", ", alter));
        }
    }
}
