package io.shardkit.mysql;

/** A file/offset position in one server's binary log; only comparable within the same server's log series. */
public record BinlogPosition(String file, long position) implements Comparable<BinlogPosition> {

    public BinlogPosition {
        if (file == null || file.isBlank()) throw new IllegalArgumentException("binlog file name is empty");
        if (position < 0) throw new IllegalArgumentException("negative binlog position");
    }

    @Override
    public int compareTo(BinlogPosition o) {
        // binlog.000010 sorts after binlog.000009 by its numeric suffix, not by text length
        int c = Long.compare(sequence(file), sequence(o.file));
        if (c == 0) c = file.compareTo(o.file);
        return c != 0 ? c : Long.compare(position, o.position);
    }

    private static long sequence(String file) {
        int dot = file.lastIndexOf('.');
        try {
            return dot < 0 ? 0 : Long.parseLong(file.substring(dot + 1));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override public String toString() { return file + ":" + position; }
}
