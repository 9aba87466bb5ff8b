package io.shardkit.failover.salvage;

import io.shardkit.mysql.FlavorFamily;
import io.shardkit.mysql.GtidSet;
import io.shardkit.mysql.SqlText;
import io.shardkit.topology.HostCommands;
import io.shardkit.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * MHA's best property, for both flavors: when a primary's mysqld is dead but its host answers,
 * its binary log still holds what it committed, acknowledged to clients maybe, that no replica
 * received. The files are read through the host's exec prefix (the newest first, older ones while
 * the survivors lack what precedes the newer), cut into transactions ({@link BinlogFile}), and the
 * ones the new primary lacks become statements that replay them there under their own GTIDs, before
 * it opens for writes: the row events go back to the server verbatim in {@code BINLOG} statements
 * (what mysqlbinlog prints, without needing mysqlbinlog on the host: MySQL's minimal packages lack it).
 */
public final class Salvage {
    private static final Duration READ = Duration.ofSeconds(30);
    private static final int MAX_FILES = 8;

    private Salvage() {}

    /** What the dead primary's binary log holds beyond {@code have}: its format description and the missing complete transactions, in order. */
    public record Found(BinlogFile.Event formatDescription, FlavorFamily family, List<BinlogFile.Transaction> missing, int filesRead, List<String> notes) {}

    /** Reads the dead primary's binary logs through its host. */
    public static Found find(Topology.Host host, String basename, GtidSet have) throws Exception {
        String list = new String(HostCommands.read(host, List.of("sh", "-c", "ls -1 " + shellQuote(basename) + ".[0-9]* 2>/dev/null | sort"), READ),
                java.nio.charset.StandardCharsets.UTF_8);
        List<String> files = list.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
        List<String> notes = new ArrayList<>();
        if (files.isEmpty()) return new Found(null, have.family(), List.of(), 0, List.of("no binary log files at " + basename + ".* on " + host.name()));
        List<BinlogFile> read = new ArrayList<>();
        for (int k = files.size() - 1; k >= 0 && read.size() < MAX_FILES; k--) {
            BinlogFile f = BinlogFile.parse(HostCommands.read(host, List.of("cat", files.get(k)), READ));
            read.addFirst(f);
            String prev = f.previousGtids();
            // the survivors have everything before this file: older files hold nothing they lack
            if (prev.isEmpty() || have.contains(GtidSet.parse(f.family(), prev))) break;
        }
        List<BinlogFile.Transaction> missing = new ArrayList<>();
        for (BinlogFile f : read) {
            for (BinlogFile.Transaction t : f.transactions()) {
                if (have.contains(GtidSet.parse(f.family(), t.gtid()))) continue;
                if (!t.complete()) {
                    notes.add(t.gtid() + " was being written when mysqld died (no commit in the log): not committed, not salvaged");
                    continue;
                }
                missing.add(t);
            }
        }
        notes.addFirst("read " + read.size() + " of " + files.size() + " binary log file(s) on " + host.name());
        return new Found(read.getLast().formatDescription(), read.getLast().family(), List.copyOf(missing), read.size(), notes);
    }

    /**
     * Statements replaying the missing transactions under their own GTIDs: the format description
     * once (the server must know the events' format), then per transaction its GTID, and either its
     * row events in one {@code BINLOG} statement inside BEGIN/COMMIT, or its statement in its database.
     */
    public static List<String> statements(Found f) {
        List<String> out = new ArrayList<>();
        if (f.missing().isEmpty()) return out;
        out.add("BINLOG '" + Base64.getEncoder().encodeToString(f.formatDescription().raw()) + "'");
        for (BinlogFile.Transaction t : f.missing()) {
            if (f.family() == FlavorFamily.MYSQL) {
                out.add("SET GTID_NEXT = " + SqlText.literal(t.gtid()));
            } else {
                out.add("SET SESSION gtid_domain_id = " + t.domain());
                out.add("SET SESSION server_id = " + t.serverId());
                out.add("SET SESSION gtid_seq_no = " + t.sequence());
            }
            if (!t.rowEvents().isEmpty()) {
                out.add("BEGIN");
                StringBuilder sb = new StringBuilder("BINLOG '\n");
                for (BinlogFile.Event e : t.rowEvents()) sb.append(Base64.getEncoder().encodeToString(e.raw())).append('\n');
                out.add(sb.append("'").toString());
                out.add("COMMIT");
            } else if (t.statement() != null) {
                if (t.database() != null) out.add("USE " + SqlText.identifier(t.database()));
                out.add(t.statement());
            }
            if (f.family() == FlavorFamily.MYSQL) out.add("SET GTID_NEXT = 'AUTOMATIC'");
        }
        return out;
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
