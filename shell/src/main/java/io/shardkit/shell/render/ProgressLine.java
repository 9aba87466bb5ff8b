package io.shardkit.shell.render;

import java.io.PrintWriter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A progress bar on the last line of a terminal, redrawn every second from {@code render}, with
 * the command's own lines printed above it. Off a terminal (a pipe, a log file, a runbook's or a
 * schedule's captured output) it steps aside: lines print as they come and no bar is drawn, so
 * logs never fill with carriage returns. A render that fails or has nothing to say (null) draws
 * nothing; the work is never slowed or stopped by its bar.
 */
public final class ProgressLine implements AutoCloseable {
    private static final String CLEAR = "\r\033[K";
    private static final int WIDTH = 24;

    private final PrintWriter out;
    private final Supplier<String> render;
    private final ScheduledExecutorService ticker;
    private String shown = "";
    private boolean closed;

    /** {@code terminal} false: no bar at all. */
    public ProgressLine(PrintWriter out, boolean terminal, Supplier<String> render) {
        this.out = out;
        this.render = render;
        if (!terminal) {
            ticker = null;
            return;
        }
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "progress-line");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleWithFixedDelay(this::redraw, 1, 1, TimeUnit.SECONDS);
    }

    /** One of the command's lines, printed above the bar. */
    public synchronized void line(String text) {
        if (!shown.isEmpty()) out.print(CLEAR);
        out.println(text);
        if (!shown.isEmpty()) out.print(shown);
        out.flush();
    }

    private void redraw() {
        String now;
        try {
            now = render.get();
        } catch (RuntimeException e) {
            now = null; // the catalog or a server did not answer this time: keep the work going, draw nothing
        }
        synchronized (this) {
            if (closed) return;
            shown = now == null ? "" : now;
            out.print(CLEAR + shown);
            out.flush();
        }
    }

    /** A bar of {@code done} out of {@code total} with its label and figures, e.g. {@code copy [#####-----] 50% 500/1000 rows}. */
    public static String bar(String label, long done, long total, String unit) {
        if (total <= 0) return label + " " + done + " " + unit;
        double f = Math.min(1.0, Math.max(0.0, done / (double) total));
        int filled = (int) Math.round(f * WIDTH);
        return label + " [" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] " + Math.round(f * 100) + "% " + done + "/" + total + " " + unit;
    }

    @Override
    public synchronized void close() {
        if (ticker == null || closed) return;
        closed = true;
        ticker.shutdownNow();
        if (!shown.isEmpty()) {
            out.print(CLEAR);
            out.flush();
        }
        shown = "";
    }
}
