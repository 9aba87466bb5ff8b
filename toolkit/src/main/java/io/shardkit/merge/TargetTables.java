package io.shardkit.merge;

import static io.shardkit.mysql.SqlText.identifier;

import io.shardkit.mysql.Queries;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
        TableSchema schema = SchemaReader.read(source, db, t.table());
        // the source's table exists, so its definition is valid under some sql_mode: a legacy one may have allowed a zero
        // date default or an ENUM with two labels equal under its collation, which a strict session refuses
        Map<String, List<String>> labels = Queries.asLegacy(source, () -> ExactDdl.labels(source, schema, MetaTables.DB));
        String exact = ExactDdl.withLabels(ddl, labels);
        target.setCatalog(db);
        Queries.asLegacy(target, () -> {
            Queries.execute(target, exact);
            if (plan.strategy() == KeyStrategy.SHARD_COLUMN) addShardColumn(plan, t, target);
            return null;
        });
    }

    /** The shard column, made part of every unique key (an ALTER rebuilds the table: it runs under the same legacy mode). */
    private static void addShardColumn(Plan plan, Plan.TablePlan t, Connection target) throws SQLException {
        String db = plan.database();
        {
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
