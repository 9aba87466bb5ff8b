package io.shardkit.failover.salvage;

import io.shardkit.mysql.FlavorFamily;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A binary log file cut into its transactions, each with its GTID, as MHA's binlog salvage needs
 * them: what a dead primary committed that no replica received, to be applied to the new primary
 * before it opens. Only the event framing and the few bodies that identify transactions are read
 * (format description, GTID events, queries); row events stay opaque bytes and are handed back to
 * the server itself in {@code BINLOG} statements, so no value is decoded and re-encoded.
 *
 * <p>Framing (v4, both flavors): a 4-byte magic, then events of a 19-byte header (timestamp, type,
 * server id, event size, end position, flags) and a body; with binlog checksums every event ends
 * in a 4-byte CRC32, which the format description event announces.
 */
public final class BinlogFile {
    static final int FORMAT_DESCRIPTION = 15, QUERY = 2, XID = 16, TABLE_MAP = 19, ROWS_V1_FIRST = 23, ROWS_V1_LAST = 25, ROWS_V2_FIRST = 30,
            ROWS_V2_LAST = 32, MYSQL_GTID = 33, MYSQL_PREVIOUS_GTIDS = 35, MARIADB_ANNOTATE_ROWS = 160, MARIADB_GTID = 162, MARIADB_GTID_LIST = 163;
    private static final int HEADER = 19;

    /** One event as it is in the file. */
    public record Event(int type, long serverId, long endPosition, byte[] raw) {
        ByteBuffer body() {
            return ByteBuffer.wrap(raw, HEADER, raw.length - HEADER).slice().order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    /**
     * One transaction: its GTID in the flavor's own syntax, its row events (table maps and rows, in
     * order), or for a statement (DDL) its default database and text; {@code complete} when its
     * commit (or the statement) is in the file: a crash can cut the last one short.
     */
    public record Transaction(String gtid, long serverId, long domain, long sequence, List<Event> rowEvents, String database, String statement, boolean complete,
                              long endPosition) {}

    private final FlavorFamily family;
    private final Event formatDescription;
    private final boolean checksums;
    private final List<Transaction> transactions;
    /** The GTIDs executed before this file began (MySQL previous-GTIDs / MariaDB GTID list), in the flavor's syntax. */
    private final String previousGtids;

    private BinlogFile(FlavorFamily family, Event fde, boolean checksums, List<Transaction> transactions, String previousGtids) {
        this.family = family;
        this.formatDescription = fde;
        this.checksums = checksums;
        this.transactions = transactions;
        this.previousGtids = previousGtids;
    }

    public FlavorFamily family() { return family; }

    public Event formatDescription() { return formatDescription; }

    public List<Transaction> transactions() { return transactions; }

    public String previousGtids() { return previousGtids; }

    public static BinlogFile parse(byte[] file) {
        if (file.length < 4 || (file[0] & 0xff) != 0xfe || file[1] != 'b' || file[2] != 'i' || file[3] != 'n') {
            throw new IllegalArgumentException("not a binary log: the magic bytes are missing");
        }
        List<Event> events = new ArrayList<>();
        int at = 4;
        while (at + HEADER <= file.length) {
            ByteBuffer h = ByteBuffer.wrap(file, at, HEADER).order(ByteOrder.LITTLE_ENDIAN);
            h.getInt(); // timestamp
            int type = h.get() & 0xff;
            long serverId = h.getInt() & 0xffffffffL;
            long size = h.getInt() & 0xffffffffL;
            long end = h.getInt() & 0xffffffffL;
            if (size < HEADER || at + size > file.length) break; // the last event was being written when the server died
            byte[] raw = new byte[(int) size];
            System.arraycopy(file, at, raw, 0, (int) size);
            events.add(new Event(type, serverId, end, raw));
            at += (int) size;
        }
        if (events.isEmpty() || events.getFirst().type() != FORMAT_DESCRIPTION) throw new IllegalArgumentException("binary log without a format description event");
        Event fde = events.getFirst();
        // the format description ends with the checksum algorithm (1 = CRC32) and, when on, its own CRC
        boolean crc = fde.raw()[fde.raw().length - 5] == 1;
        String version = new String(fde.raw(), HEADER + 2, 50, StandardCharsets.ISO_8859_1).trim();
        FlavorFamily family = version.contains("MariaDB") ? FlavorFamily.MARIADB : FlavorFamily.MYSQL;
        return new BinlogFile(family, fde, crc, transactions(events, family, crc), previous(events, family));
    }

    private static List<Transaction> transactions(List<Event> events, FlavorFamily family, boolean crc) {
        List<Transaction> out = new ArrayList<>();
        int i = 0;
        while (i < events.size()) {
            Event e = events.get(i);
            if (e.type() != MYSQL_GTID && e.type() != MARIADB_GTID) {
                i++;
                continue;
            }
            String gtid;
            long domain = 0;
            long seq;
            boolean standalone = false;
            ByteBuffer b = e.body();
            if (e.type() == MYSQL_GTID) {
                b.get(); // commit flag
                byte[] sid = new byte[16];
                b.get(sid);
                seq = b.getLong();
                gtid = uuid(sid) + ":" + seq;
            } else {
                seq = b.getLong();
                domain = b.getInt() & 0xffffffffL;
                standalone = (b.get() & 0x01) != 0;
                gtid = domain + "-" + e.serverId() + "-" + seq;
            }
            List<Event> rows = new ArrayList<>();
            String db = null;
            String statement = null;
            boolean complete = false;
            long endPos = e.endPosition();
            int j = i + 1;
            for (; j < events.size(); j++) {
                Event x = events.get(j);
                if (x.type() == MYSQL_GTID || x.type() == MARIADB_GTID) break;
                endPos = x.endPosition();
                if (x.type() == XID) {
                    complete = true;
                    j++;
                    break;
                }
                if (x.type() == TABLE_MAP || (x.type() >= ROWS_V1_FIRST && x.type() <= ROWS_V1_LAST) || (x.type() >= ROWS_V2_FIRST && x.type() <= ROWS_V2_LAST)) {
                    rows.add(x);
                } else if (x.type() == QUERY) {
                    String[] q = query(x, crc);
                    String text = q[1].strip();
                    if (text.equalsIgnoreCase("BEGIN")) continue;
                    if (text.equalsIgnoreCase("COMMIT")) {
                        complete = true;
                        j++;
                        break;
                    }
                    db = q[0];
                    statement = q[1];
                    // a statement outside BEGIN ... COMMIT (DDL; MariaDB marks its GTID standalone) is its own transaction
                    if (rows.isEmpty() || standalone) {
                        complete = true;
                        j++;
                        break;
                    }
                }
            }
            out.add(new Transaction(gtid, e.serverId(), domain, seq, List.copyOf(rows), db, statement, complete, endPos));
            i = j;
        }
        return out;
    }

    /** {default database, statement text} of a query event. */
    static String[] query(Event e, boolean crc) {
        ByteBuffer b = e.body();
        b.getInt(); // thread id
        b.getInt(); // exec time
        int dbLen = b.get() & 0xff;
        b.getShort(); // error code
        int statusLen = b.getShort() & 0xffff;
        b.position(b.position() + statusLen);
        byte[] db = new byte[dbLen];
        b.get(db);
        b.get(); // the database name's terminating zero
        int textLen = b.remaining() - (crc ? 4 : 0);
        byte[] text = new byte[Math.max(0, textLen)];
        b.get(text);
        return new String[] {dbLen == 0 ? null : new String(db, StandardCharsets.UTF_8), new String(text, StandardCharsets.UTF_8)};
    }

    private static String previous(List<Event> events, FlavorFamily family) {
        for (Event e : events) {
            if (e.type() == MYSQL_PREVIOUS_GTIDS) {
                ByteBuffer b = e.body();
                long sids = b.getLong();
                List<String> parts = new ArrayList<>();
                for (long s = 0; s < sids; s++) {
                    byte[] sid = new byte[16];
                    b.get(sid);
                    long n = b.getLong();
                    StringBuilder sb = new StringBuilder(uuid(sid));
                    for (long k = 0; k < n; k++) {
                        long start = b.getLong();
                        long end = b.getLong(); // exclusive
                        sb.append(':').append(start).append(end - 1 > start ? "-" + (end - 1) : "");
                    }
                    parts.add(sb.toString());
                }
                return String.join(",", parts);
            }
            if (e.type() == MARIADB_GTID_LIST) {
                ByteBuffer b = e.body();
                long count = b.getInt() & 0x0fffffffL;
                // the list is a binary log state: one entry per domain AND server id (a member that was primary twice has
                // 0-101-52,0-102-53); what was executed before this file is, per domain, the entry with the highest sequence
                java.util.TreeMap<Long, long[]> last = new java.util.TreeMap<>();
                for (long k = 0; k < count; k++) {
                    long domain = b.getInt() & 0xffffffffL;
                    long server = b.getInt() & 0xffffffffL;
                    long seq = b.getLong();
                    long[] had = last.get(domain);
                    if (had == null || Long.compareUnsigned(seq, had[1]) > 0) last.put(domain, new long[] {server, seq});
                }
                List<String> parts = new ArrayList<>();
                last.forEach((domain, at) -> parts.add(domain + "-" + at[0] + "-" + Long.toUnsignedString(at[1])));
                return String.join(",", parts);
            }
        }
        return "";
    }

    static String uuid(byte[] sid) {
        String h = HexFormat.of().formatHex(sid);
        return h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-" + h.substring(16, 20) + "-" + h.substring(20);
    }
}
