package io.shardkit.shell.render;

import io.shardkit.merge.Plan;
import java.io.PrintWriter;

/** A merge plan for a human. */
public final class PlanRender {
    private PlanRender() {}

    public static void print(PrintWriter out, Plan p) {
        out.println("plan " + p.id() + ": merge " + p.sources().stream().map(Plan.Source::group).toList() + " into " + p.target().group()
                + ", database " + p.database() + ", keys " + p.strategy().word());
        Table s = new Table("ROLE", "GROUP", "PRIMARY", "ADDRESS", "VERSION", "GTID");
        p.sources().forEach(x -> s.row("source", x.group(), x.primary(), x.address(), x.version(), x.gtidExecuted().isEmpty() ? "(empty)" : x.gtidExecuted()));
        s.row("target", p.target().group(), p.target().primary(), p.target().address(), p.target().version(), "");
        s.print(out, "  ");
        Table t = new Table("TABLE", "ROW KEY", "ROWS", "COLLISIONS", "STRATEGY");
        for (Plan.TablePlan tp : p.tables()) {
            long rows = tp.rowsPerSource().values().stream().mapToLong(Long::longValue).sum();
            String coll = tp.collisions().stream().filter(c -> c.count() > 0).map(c -> c.key() + "=" + c.count()).reduce((a, b) -> a + " " + b).orElse("none");
            String strat = switch (p.strategy()) {
                case REJECT -> "as is";
                case SHARD_COLUMN -> "+" + tp.shardColumn() + " in every key";
                case OFFSET -> "offset " + tp.offsetColumns() + " by " + tp.offsets() + ", headroom " + tp.headroom();
            };
            t.row(tp.table(), String.join(",", tp.rowKey()), rows + " " + tp.rowsPerSource(), coll, strat);
        }
        t.print(out, "  ");
        for (Plan.TablePlan tp : p.tables()) {
            for (Plan.Collision c : tp.collisions()) {
                if (c.count() > 0) out.println("  " + tp.table() + " " + c.key() + ": " + c.count() + " shared value(s), e.g. " + String.join("; ", c.examples()));
            }
        }
        var e = p.estimate();
        out.printf("  estimate: %d rows, %.1f MB; sampled read rate %.0f rows/s; copy about %.0f s%n", e.rows(), e.bytes() / 1e6, e.sampledRowsPerSecond(), e.copySeconds());
        out.flush();
    }
}
