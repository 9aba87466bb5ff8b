package io.shardkit.shell.render;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table with left-aligned columns sized to their widest cell. */
public final class Table {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(String... header) {
        this.header = List.of(header);
    }

    public Table row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) r.add(c == null ? "-" : c.toString());
        rows.add(r);
        return this;
    }

    public void print(PrintWriter out, String indent) {
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) w[i] = header.get(i).length();
        for (List<String> r : rows) for (int i = 0; i < w.length && i < r.size(); i++) w[i] = Math.max(w[i], r.get(i).length());
        line(out, indent, header, w);
        for (List<String> r : rows) line(out, indent, r, w);
        out.flush();
    }

    private static void line(PrintWriter out, String indent, List<String> cells, int[] w) {
        StringBuilder sb = new StringBuilder(indent);
        for (int i = 0; i < w.length; i++) {
            String c = i < cells.size() ? cells.get(i) : "";
            sb.append(c);
            if (i < w.length - 1) sb.append(" ".repeat(w[i] - c.length() + 2));
        }
        out.println(sb.toString().stripTrailing());
    }
}
