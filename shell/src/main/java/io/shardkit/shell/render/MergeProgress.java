package io.shardkit.shell.render;

import io.shardkit.merge.JobState;
import io.shardkit.merge.MergeStatus;

/** The one-line progress of a running merge for {@link ProgressLine}: the copy as a bar, then how far its streams are behind. */
public final class MergeProgress {
    private long lastCopied = -1;
    private long lastAt;

    /** The line for {@code s}; rows per second from the previous call's figures. */
    public String line(MergeStatus s) {
        long copied = s.tables().stream().mapToLong(MergeStatus.TableProgress::copied).sum();
        long planned = s.tables().stream().mapToLong(MergeStatus.TableProgress::planned).sum();
        long now = System.nanoTime();
        String rate = "";
        if (lastCopied >= 0 && now > lastAt && copied >= lastCopied) rate = ", " + Math.round((copied - lastCopied) * 1e9 / (now - lastAt)) + " rows/s";
        lastCopied = copied;
        lastAt = now;
        if (s.state() == JobState.PLANNED || s.state() == JobState.COPYING) {
            // the plan's row counts are estimates (information_schema): the bar stops at 100% however far the copy goes
            return ProgressLine.bar("merge " + s.id() + " copy", copied, Math.max(planned, copied), "rows") + rate;
        }
        StringBuilder b = new StringBuilder("merge " + s.id() + " " + s.state().name().toLowerCase(java.util.Locale.ROOT));
        long behind = 0;
        boolean known = true;
        StringBuilder each = new StringBuilder();
        for (MergeStatus.StreamProgress sp : s.streams()) {
            if (sp.transactionsBehind() < 0) known = false;
            else behind += sp.transactionsBehind();
            each.append(each.length() == 0 ? "" : ", ").append(sp.source()).append(' ').append(sp.transactionsBehind() < 0 ? "?" : sp.transactionsBehind());
        }
        if (!s.streams().isEmpty()) b.append(": ").append(known ? behind : "?").append(" transactions behind (").append(each).append(')');
        return b.toString();
    }
}
