package io.shardkit.merge;

import static io.shardkit.merge.PlanProblem.Code.*;

import io.shardkit.mysql.ConnectionSettings;
import io.shardkit.mysql.Connections;
import io.shardkit.mysql.Credential;
import io.shardkit.mysql.Queries;
import io.shardkit.mysql.SqlErrors;
import io.shardkit.mysql.SqlText;
import io.shardkit.topology.Discovery;
import io.shardkit.topology.FleetView;
import io.shardkit.topology.GroupView;
import io.shardkit.topology.InstanceState;
import io.shardkit.topology.Topology;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code merge plan}: an Inspector that only reads. Preflight, schema comparison, key checks, the
 * exact collision scan, the key strategy's parameters and an estimate; every problem found is
 * collected and reported together. Nothing on any server is changed.
 */
public final class Planner {
    private static final int SAMPLE_ROWS = 20_000;

    private final Topology topology;
    private final Credential admin;
    private final Credential stream;
    private final Clock clock;

    public Planner(Topology topology, Credential admin, Credential stream, Clock clock) {
        this.topology = topology;
        this.admin = admin;
        this.stream = stream;
        this.clock = clock;
    }

    public Plan plan(MergeRequest req) {
        List<PlanProblem> problems = new ArrayList<>();
        for (String g : req.sources()) if (!topology.groups().containsKey(g)) problems.add(new PlanProblem(UNKNOWN_GROUP, g, "no group '" + g + "' in " + topology.source()));
        if (!topology.groups().containsKey(req.target())) problems.add(new PlanProblem(UNKNOWN_GROUP, req.target(), "no group '" + req.target() + "' in " + topology.source()));
        if (req.sources().contains(req.target())) problems.add(new PlanProblem(SAME_GROUP, req.target(), "the target is also a source"));
        if (req.sources().isEmpty()) problems.add(new PlanProblem(UNKNOWN_GROUP, "--from", "no source group given"));
        if (!problems.isEmpty()) throw new PlanException(problems, null);

        List<String> groups = new ArrayList<>(req.sources());
        groups.add(req.target());
        List<String> members = groups.stream().flatMap(g -> topology.group(g).instanceNames().stream()).toList();
        FleetView view = new FleetView(topology, new Discovery(topology, admin).probe(members));
        Map<String, InstanceState> primaries = new LinkedHashMap<>();
        for (String g : groups) {
            GroupView gv = view.group(g);
            String p = gv.primary().orElse(null);
            InstanceState s = p == null ? null : gv.state(p);
            if (p == null) problems.add(new PlanProblem(NO_PRIMARY, g, "group has no primary"));
            else if (!s.reachable()) problems.add(new PlanProblem(UNREACHABLE, g, "primary " + p + " (" + topology.instance(p).endpoint() + ") does not answer: " + s.error()));
            else {
                primaries.put(g, s);
                if (!"ROW".equalsIgnoreCase(s.binlogFormat())) problems.add(new PlanProblem(BINLOG_FORMAT, p, "binlog_format=" + s.binlogFormat() + " (ROW needed)"));
                if (!"FULL".equalsIgnoreCase(s.binlogRowImage())) problems.add(new PlanProblem(ROW_IMAGE, p, "binlog_row_image=" + s.binlogRowImage() + " (FULL needed)"));
                if (!s.gtidEnabled()) problems.add(new PlanProblem(GTID_OFF, p, "GTID is off"));
            }
        }
        if (primaries.size() < groups.size()) throw new PlanException(problems, null);

        Map<String, Connection> src = new LinkedHashMap<>();
        try (Connection target = open(primaries.get(req.target()), admin)) {
            for (String g : req.sources()) src.put(g, open(primaries.get(g), admin));
            return planOn(req, primaries, src, target, problems);
        } catch (SQLException e) {
            PlanProblem.Code code = SqlErrors.classify(e) == SqlErrors.ErrorClass.CONNECTION_LOST ? UNREACHABLE : SERVER_ERROR;
            throw new PlanException(List.of(new PlanProblem(code, "planning", SqlErrors.describe(e))), null);
        } finally {
            for (Connection c : src.values()) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // read-only connections: nothing to roll back
                }
            }
        }
    }

    private Connection open(InstanceState s, Credential who) throws SQLException {
        return Connections.open(topology.instance(s.instance()).endpoint(), who, ConnectionSettings.BULK);
    }

    private Plan planOn(MergeRequest req, Map<String, InstanceState> primaries, Map<String, Connection> src, Connection target,
                        List<PlanProblem> problems) throws SQLException {
        // grants: the stream user on each source, the admin on the target
        for (String g : req.sources()) {
            InstanceState p = primaries.get(g);
            Credential who = stream != null ? stream : admin;
            try (Connection c = open(p, who)) {
                List<String> miss = Grants.missing(c, p.flavor(), req.database(), Grants.SOURCE);
                if (!miss.isEmpty()) problems.add(new PlanProblem(MISSING_GRANT, p.instance(), "user " + who.user() + " lacks " + String.join(", ", miss)
                        + " (GRANT " + String.join(", ", miss) + " ON *.* TO '" + who.user() + "'@'%')"));
            } catch (SQLException e) {
                problems.add(new PlanProblem(MISSING_GRANT, p.instance(), "user " + who.user() + " cannot connect: " + SqlErrors.describe(e)));
            }
        }
        InstanceState tp = primaries.get(req.target());
        List<String> tmiss = Grants.missing(target, tp.flavor(), req.database(), Grants.TARGET);
        if (!tmiss.isEmpty()) problems.add(new PlanProblem(MISSING_GRANT, tp.instance(), "user " + admin.user() + " lacks " + String.join(", ", tmiss)));

        // tables: as asked, or every base table any source has
        TreeSet<String> tables = new TreeSet<>(req.tables());
        for (var e : src.entrySet()) {
            if (!SchemaReader.databaseExists(e.getValue(), req.database())) {
                problems.add(new PlanProblem(NO_SUCH_DATABASE, e.getKey(), "database '" + req.database() + "' does not exist on " + primaries.get(e.getKey()).instance()));
            } else if (req.tables().isEmpty()) {
                tables.addAll(SchemaReader.tables(e.getValue(), req.database()));
            }
        }
        if (problems.stream().anyMatch(p -> p.code() == NO_SUCH_DATABASE)) throw new PlanException(problems, null);
        if (tables.isEmpty()) {
            problems.add(new PlanProblem(NO_TABLES, req.database(), "no tables to merge"));
            throw new PlanException(problems, null);
        }

        List<Plan.TablePlan> tablePlans = new ArrayList<>();
        long totalRows = 0;
        long totalBytes = 0;
        String largestTable = null;
        String largestSource = null;
        long largestRows = -1;
        for (String table : tables) {
            Map<String, TableSchema> schemas = new LinkedHashMap<>();
            for (var e : src.entrySet()) {
                TableSchema s = SchemaReader.read(e.getValue(), req.database(), table);
                if (s == null) problems.add(new PlanProblem(NO_SUCH_TABLE, req.database() + "." + table, "missing on source " + e.getKey() + " (" + primaries.get(e.getKey()).instance() + ")"));
                else schemas.put(e.getKey(), s);
            }
            if (schemas.size() < src.size()) continue;
            String refGroup = schemas.keySet().iterator().next();
            TableSchema ref = schemas.get(refGroup);
            boolean same = true;
            for (var e : schemas.entrySet()) {
                if (e.getKey().equals(refGroup)) continue;
                for (String d : SchemaDiff.compare(refGroup, ref, e.getKey(), e.getValue())) {
                    problems.add(new PlanProblem(SCHEMA_MISMATCH, req.database() + "." + table, d));
                    same = false;
                }
            }
            if (!same) continue;
            var rowKey = ref.rowKey();
            if (rowKey.isEmpty()) {
                problems.add(new PlanProblem(NO_KEY, req.database() + "." + table, "has no primary key and no unique key over NOT NULL columns; rows cannot be identified"));
                continue;
            }
            TableSchema onTarget = SchemaReader.read(target, req.database(), table);
            if (onTarget != null) {
                long n = SchemaReader.countRows(target, req.database(), table);
                if (n > 0) problems.add(new PlanProblem(TARGET_NOT_EMPTY, req.database() + "." + table, "already has " + n + " rows on target " + tp.instance()));
            }

            Map<String, Long> rows = new LinkedHashMap<>();
            for (var e : src.entrySet()) {
                long n = SchemaReader.countRows(e.getValue(), req.database(), table);
                rows.put(e.getKey(), n);
                totalRows += n;
                if (n > largestRows) {
                    largestRows = n;
                    largestTable = table;
                    largestSource = e.getKey();
                }
            }
            long bytes = schemas.values().stream().mapToLong(TableSchema::dataBytes).sum();
            totalBytes += bytes;

            List<Plan.Collision> collisions = new ArrayList<>();
            for (TableSchema.Index key : ref.uniqueKeys()) collisions.add(CollisionScanner.scan(ref, key, src));
            tablePlans.add(strategyFor(req, table, ref, rowKey.get(), schemas, rows, bytes, collisions, src, problems));
        }
        double rate = largestTable == null ? 0 : sampleRate(src.get(largestSource), req.database(), largestTable, tablePlans);
        Plan plan = new Plan(req.id(), clock.instant(), req.database(), req.strategy(),
                req.sources().stream().map(g -> source(g, primaries.get(g))).toList(),
                new Plan.Endpoint(req.target(), tp.instance(), topology.instance(tp.instance()).endpoint().toString(), tp.version()),
                List.copyOf(tablePlans), new Plan.Estimate(totalRows, totalBytes, rate, rate > 0 ? totalRows / rate : 0));
        if (!problems.isEmpty()) throw new PlanException(problems, plan);
        return plan;
    }

    private Plan.Source source(String g, InstanceState s) {
        return new Plan.Source(g, s.instance(), topology.instance(s.instance()).endpoint().toString(), s.version(), s.gtidExecuted().format());
    }

    private Plan.TablePlan strategyFor(MergeRequest req, String table, TableSchema ref, TableSchema.Index rowKey, Map<String, TableSchema> schemas,
                                       Map<String, Long> rows, long bytes, List<Plan.Collision> collisions, Map<String, Connection> src,
                                       List<PlanProblem> problems) throws SQLException {
        String where = req.database() + "." + table;
        List<String> copied = ref.columns().stream().filter(c -> !c.isGenerated()).map(TableSchema.Column::name).toList();
        List<String> generated = ref.columns().stream().filter(TableSchema.Column::isGenerated).map(TableSchema.Column::name).toList();
        Long maxAutoInc = schemas.values().stream().map(TableSchema::autoIncrement).filter(java.util.Objects::nonNull).max(Long::compare).orElse(null);
        switch (req.strategy()) {
            case REJECT -> {
                for (Plan.Collision c : collisions) {
                    if (c.count() > 0) problems.add(new PlanProblem(KEY_COLLISION, where, c.count() + " value(s) of key " + c.key()
                            + " exist in more than one source, e.g. " + String.join("; ", c.examples()) + " (use --keys offset or --keys shard-column)"));
                }
                autoIncrementOverlap(where, ref, rowKey, schemas, rows, src, problems);
                return new Plan.TablePlan(table, rowKey.columns(), copied, generated, rows, bytes, collisions, List.of(), Map.of(), Map.of(), null, maxAutoInc);
            }
            case SHARD_COLUMN -> {
                if (ref.column(req.shardColumn()).isPresent()) {
                    problems.add(new PlanProblem(SCHEMA_MISMATCH, where, "already has a column named " + req.shardColumn() + " (choose another with --shard-column)"));
                }
                return new Plan.TablePlan(table, rowKey.columns(), copied, generated, rows, bytes, collisions, List.of(), Map.of(), Map.of(), req.shardColumn(), maxAutoInc);
            }
            case OFFSET -> {
                return offsetPlan(req, table, ref, rowKey, schemas, rows, bytes, collisions, copied, generated, src, problems);
            }
            default -> throw new IllegalStateException(req.strategy().name());
        }
    }

    private Plan.TablePlan offsetPlan(MergeRequest req, String table, TableSchema ref, TableSchema.Index rowKey, Map<String, TableSchema> schemas,
                                      Map<String, Long> rows, long bytes, List<Plan.Collision> collisions, List<String> copied, List<String> generated,
                                      Map<String, Connection> src, List<PlanProblem> problems) throws SQLException {
        String where = req.database() + "." + table;
        TableSchema.Column keyCol = rowKey.columns().size() == 1 ? ref.column(rowKey.columns().getFirst()).orElseThrow() : null;
        if (keyCol == null || !keyCol.isInteger()) {
            problems.add(new PlanProblem(OFFSET_UNSUPPORTED, where, "--keys offset needs a single integer row key; " + rowKey.name() + rowKey.columns() + " is not (use --keys shard-column)"));
            return new Plan.TablePlan(table, rowKey.columns(), copied, generated, rows, bytes, collisions, List.of(), Map.of(), Map.of(), null, null);
        }
        List<String> offsetCols = new ArrayList<>(List.of(keyCol.name()));
        for (String oc : req.offsetColumns()) {
            String[] f = oc.split("\\.", 2);
            if (f.length == 2 && f[0].equals(table)) {
                var c = ref.column(f[1]);
                if (c.isEmpty() || !c.get().isInteger()) problems.add(new PlanProblem(OFFSET_UNSUPPORTED, where, "--offset-columns names " + oc + ", which is not an integer column of " + table));
                else offsetCols.add(c.get().name());
            }
        }
        for (Plan.Collision c : collisions) {
            // the row key is made disjoint by the offset; other unique keys must not collide by themselves
            boolean onlyOffsetCols = c.key().startsWith(rowKey.name() + "[");
            if (!onlyOffsetCols && c.count() > 0) {
                problems.add(new PlanProblem(KEY_COLLISION, where, c.count() + " value(s) of unique key " + c.key() + " exist in more than one source, e.g. " + String.join("; ", c.examples())));
            }
        }
        Map<String, Long> high = new LinkedHashMap<>();
        for (var e : src.entrySet()) {
            long max = 0;
            for (String col : offsetCols) {
                try (var st = e.getValue().createStatement(); ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(" + SqlText.identifier(col) + "), 0) FROM "
                        + SqlText.identifier(req.database()) + "." + SqlText.identifier(table))) {
                    rs.next();
                    max = Math.max(max, rs.getLong(1));
                }
            }
            Long ai = schemas.get(e.getKey()).autoIncrement();
            high.put(e.getKey(), Math.max(max, ai == null ? 0 : ai - 1));
        }
        long top = high.values().stream().mapToLong(Long::longValue).max().orElse(0);
        long stride = OffsetMath.stride(top);
        Map<String, Long> offsets = new LinkedHashMap<>();
        Map<String, Long> headroom = new LinkedHashMap<>();
        int i = 0;
        for (String g : src.keySet()) {
            offsets.put(g, i * stride);
            headroom.put(g, stride - 1 - high.get(g));
            i++;
        }
        BigInteger needed = BigInteger.valueOf(stride).multiply(BigInteger.valueOf(src.size()));
        if (needed.compareTo(OffsetMath.maxValue(keyCol.columnType())) > 0) {
            problems.add(new PlanProblem(OFFSET_OVERFLOW, where, "offsets up to " + needed + " do not fit " + keyCol.name() + " " + keyCol.columnType()));
        }
        long autoIncAfter = (src.size() - 1) * stride + high.get(src.keySet().stream().reduce((a, b) -> b).orElseThrow()) + 1;
        return new Plan.TablePlan(table, rowKey.columns(), copied, generated, rows, bytes, collisions, List.copyOf(offsetCols), offsets, headroom, null, autoIncAfter);
    }

    /**
     * A source whose AUTO_INCREMENT counter will, while the merge runs, reach a key another source
     * already holds would insert a duplicate. Interleaved counters
     * (same auto_increment_increment >= sources, distinct offsets) cannot meet and pass.
     */
    private void autoIncrementOverlap(String where, TableSchema ref, TableSchema.Index rowKey, Map<String, TableSchema> schemas,
                                      Map<String, Long> rowsPerSource, Map<String, Connection> src, List<PlanProblem> problems) throws SQLException {
        if (rowKey.columns().size() != 1 || schemas.values().stream().allMatch(s -> s.autoIncrement() == null)) return;
        Map<String, long[]> steps = new LinkedHashMap<>();
        for (var e : src.entrySet()) {
            try (var st = e.getValue().createStatement(); ResultSet rs = st.executeQuery("SELECT @@auto_increment_increment, @@auto_increment_offset")) {
                rs.next();
                steps.put(e.getKey(), new long[] {rs.getLong(1), rs.getLong(2)});
            }
        }
        long inc = steps.values().iterator().next()[0];
        boolean interleaved = inc >= src.size() && steps.values().stream().allMatch(s -> s[0] == inc)
                && steps.values().stream().map(s -> s[1] % inc).distinct().count() == src.size();
        if (interleaved) return;
        String col = SqlText.identifier(rowKey.columns().getFirst());
        String from = SqlText.identifier(ref.database()) + "." + SqlText.identifier(ref.table());
        for (var a : schemas.entrySet()) {
            Long next = a.getValue().autoIncrement();
            if (next == null) continue;
            // the counter may advance by GROWTH x the table's rows while the merge runs
            long rows = rowsPerSource.get(a.getKey());
            long reach = next + Math.max(1000, OffsetMath.GROWTH * rows);
            for (var b : src.entrySet()) {
                if (b.getKey().equals(a.getKey())) continue;
                String hit = Queries.string(b.getValue(), "SELECT MIN(" + col + ") FROM " + from + " WHERE " + col + " >= " + next + " AND " + col + " < " + reach);
                if (hit != null) {
                    problems.add(new PlanProblem(AUTO_INCREMENT_OVERLAP, where, "AUTO_INCREMENT of " + a.getKey() + " is " + next + " and will grow toward " + reach
                            + ", but " + b.getKey() + " already holds key " + hit + " in that range: new rows would collide (use --keys offset or --keys shard-column)"));
                }
            }
        }
    }

    /** Reads up to SAMPLE_ROWS rows of the largest table in key order, timed: the copy rate estimate. */
    private static double sampleRate(Connection c, String db, String table, List<Plan.TablePlan> plans) throws SQLException {
        Plan.TablePlan tp = plans.stream().filter(p -> p.table().equals(table)).findFirst().orElse(null);
        if (tp == null) return 0;
        String order = String.join(", ", tp.rowKey().stream().map(SqlText::identifier).toList());
        long t0 = System.nanoTime();
        long n = 0;
        try (var st = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
            st.setFetchSize(Integer.MIN_VALUE);
            try (ResultSet rs = st.executeQuery("SELECT * FROM " + SqlText.identifier(db) + "." + SqlText.identifier(table) + " ORDER BY " + order + " LIMIT " + SAMPLE_ROWS)) {
                int cols = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    for (int i = 1; i <= cols; i++) rs.getBytes(i); // raw bytes: TIME past 24 h has no Java object
                    n++;
                }
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        return n == 0 || secs <= 0 ? 0 : n / secs;
    }
}
