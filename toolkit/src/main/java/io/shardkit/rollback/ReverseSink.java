package io.shardkit.rollback;

import io.shardkit.merge.MetaTables;
import io.shardkit.merge.TouchedLog;
import io.shardkit.merge.Plan;
import io.shardkit.merge.stream.ChangeSink;
import io.shardkit.merge.stream.RowChange;
import io.shardkit.merge.stream.SchemaChange;
import io.shardkit.mysql.KeyValues;
import io.shardkit.mysql.RowWrites;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * Applies the target's binlog to the sources during a rollback: each row event goes to the source
 * that owns its key ({@link ReverseMapper}, {@link Owners}), in binlog order, as a state-setting
 * write (upsert of the full row or delete by key), so replays converge like the forward apply.
 *
 * <p>One transaction per source per batch holds that source's rows, the owners of their keys, the
 * target keys they came from (what the switch back re-verifies) and the stream position after the
 * batch (with the highest rollback marker). Every source gets the position, rows or not, so the
 * positions stay together; a crash between two sources' commits leaves one behind, the job resumes
 * from the earliest, and the other replays a batch it already has: idempotent.
 */
final class ReverseSink implements ChangeSink {

    private final String jobId;
    private final String targetGroup;
    private final Plan plan;
    private final Map<String, DataSource> sources;
    private final Map<String, ReverseMapper> mappers = new LinkedHashMap<>();
    private final Owners owners;
    /** The highest rollback marker every source has committed. */
    final Map<String, Long> markers = new ConcurrentHashMap<>();
    volatile String ddlSeen;
    final java.util.concurrent.atomic.AtomicLong applied = new java.util.concurrent.atomic.AtomicLong();

    /** Target rows whose image the binlog decoder could not carry (zero dates) are read again from the target. */
    private final io.shardkit.merge.Reread reread;

    ReverseSink(String jobId, Plan plan, Map<String, DataSource> sources, DataSource target, String newRowsTo) {
        this.reread = new io.shardkit.merge.Reread(plan.database(), name -> target);
        this.jobId = jobId;
        this.targetGroup = plan.target().group();
        this.plan = plan;
        this.sources = sources;
        for (Plan.TablePlan t : plan.tables()) mappers.put(t.table(), new ReverseMapper(plan, t));
        this.owners = new Owners(jobId, plan.database(), sources, newRowsTo);
    }

    /** One write on one source. */
    private record Op(String table, boolean upsert, Object[] values, Object[] key, String sourceKeyText, String targetKeyText) {}

    @Override
    public void apply(String stream, List<RowChange> rows, List<SchemaChange> ddl, Map<String, Object> lastPosition) throws Exception {
        for (SchemaChange d : ddl) {
            if (!d.snapshot() && plan.database().equals(d.database())) {
                ddlSeen = "DDL on the target " + targetGroup + " during a rollback: " + d.ddl().strip();
                throw new IllegalStateException(ddlSeen);
            }
        }
        Long marker = null;
        Map<String, List<Op>> perSource = new LinkedHashMap<>();
        for (String s : sources.keySet()) perSource.put(s, new ArrayList<>());
        List<RowChange> data = new ArrayList<>();
        for (RowChange r : rows) {
            if (MetaTables.DB.equals(r.database())) {
                if (r.after() != null && jobId.equals(r.after().get("job_id")) && targetGroup.equals(r.after().get("source"))) {
                    long seq = ((Number) r.after().get("seq")).longValue();
                    marker = marker == null ? seq : Math.max(marker, seq);
                }
            } else if (plan.database().equals(r.database()) && mappers.containsKey(r.table())) {
                data.add(r);
            }
        }
        Map<String, Map<String, String>> looked = lookups(data);
        for (RowChange r : data) {
            ReverseMapper m = mappers.get(r.table());
            if (r.before() != null && (r.after() == null || !m.key(r.before()).equals(m.key(r.after())))) {
                String owner = ownerOf(m, r.table(), r.before(), looked);
                perSource.get(owner).add(new Op(r.table(), false, m.sourceKey(owner, r.before()), m.sourceKey(owner, r.before()),
                        KeyValues.encode(Arrays.asList(m.sourceKey(owner, r.before()))), KeyValues.encode(m.key(r.before()))));
            }
            // an image the decoder could not carry (a zero date) is replaced by the target's row as it is now; a row gone since
            // is not written (its delete follows)
            Map<String, Object> after = r.after() == null || r.uncertain().isEmpty() ? r.after() : reread.current(targetGroup, r.table(), m.targetKeyColumns(), r.after());
            if (after != null) {
                String owner = ownerOf(m, r.table(), after, looked);
                Object[] key = m.sourceKey(owner, after);
                perSource.get(owner).add(new Op(r.table(), true, m.sourceRow(owner, after).values().toArray(), key,
                        KeyValues.encode(Arrays.asList(key)), KeyValues.encode(m.key(after))));
            }
        }
        for (var e : perSource.entrySet()) commit(e.getKey(), e.getValue(), lastPosition, marker, rows.isEmpty() ? null : rows.getLast().gtid());
        if (marker != null) for (String s : sources.keySet()) markers.merge(s, marker, Math::max);
        applied.addAndGet(data.size());
    }

    private String ownerOf(ReverseMapper m, String table, Map<String, Object> row, Map<String, Map<String, String>> looked) {
        String o = m.owner(row);
        if (o != null) return o;
        return looked.get(table).get(KeyValues.encode(Arrays.asList(m.sourceKey(plan.sources().getFirst().group(), row))));
    }

    /** Owners of every key of a lookup table in this batch, resolved in one round per table. */
    private Map<String, Map<String, String>> lookups(List<RowChange> data) throws SQLException {
        Map<String, List<Object[]>> keys = new LinkedHashMap<>();
        for (RowChange r : data) {
            ReverseMapper m = mappers.get(r.table());
            if (!m.needsLookup()) continue;
            // lookup tables carry no offset on their key, so any source's view of the key is the key
            String any = plan.sources().getFirst().group();
            if (r.before() != null) keys.computeIfAbsent(r.table(), k -> new ArrayList<>()).add(m.sourceKey(any, r.before()));
            if (r.after() != null) keys.computeIfAbsent(r.table(), k -> new ArrayList<>()).add(m.sourceKey(any, r.after()));
        }
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (var e : keys.entrySet()) out.put(e.getKey(), owners.resolve(e.getKey(), mappers.get(e.getKey()).sourceKeyColumns(), e.getValue()));
        return out;
    }

    private void commit(String source, List<Op> ops, Map<String, Object> position, Long marker, String gtid) throws SQLException {
        try (Connection c = sources.get(source).getConnection()) {
            c.setAutoCommit(false);
            try {
                // consecutive writes of one kind to one table become one batched statement; order is kept
                int i = 0;
                while (i < ops.size()) {
                    int j = i;
                    while (j < ops.size() && ops.get(j).table().equals(ops.get(i).table()) && ops.get(j).upsert() == ops.get(i).upsert()) j++;
                    List<Op> run = ops.subList(i, j);
                    ReverseMapper m = mappers.get(run.getFirst().table());
                    List<Object[]> values = run.stream().map(o -> o.upsert() ? o.values() : o.key()).toList();
                    if (run.getFirst().upsert()) RowWrites.upsert(c, plan.database(), run.getFirst().table(), m.sourceColumns(), m.sourceKeyColumns(), values);
                    else RowWrites.delete(c, plan.database(), run.getFirst().table(), m.sourceKeyColumns(), values);
                    if (m.needsLookup()) owners.record(c, run.getFirst().table(), run.stream().map(Op::sourceKeyText).distinct().toList());
                    i = j;
                }
                // the target keys written: the switch back re-verifies exactly these
                Map<String, java.util.Set<String>> touched = new LinkedHashMap<>();
                for (Op o : ops) touched.computeIfAbsent(o.table(), k -> new java.util.LinkedHashSet<>()).add(o.targetKeyText());
                TouchedLog.record(c, jobId, targetGroup, touched);
                if (position != null) MetaTables.savePosition(c, jobId, targetGroup, position, gtid, ops.size(), marker);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }


}
