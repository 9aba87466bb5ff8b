package io.shardkit.merge;

import java.util.function.Consumer;

/**
 * Live controls of a running merge (HikariCP's idea: a small mutable object beside the sealed
 * configuration): pause, stop, chunk size, and named stage hooks where tests inject faults.
 */
public final class MergeControl {
    private volatile boolean paused;
    private volatile boolean stopRequested;
    private volatile int chunkSize = 1000;
    private volatile Consumer<String> stageHook = s -> {};
    private volatile String throttledBecause;
    private volatile Throttle.Limits limits = Throttle.Limits.DEFAULT;

    public void pause() { paused = true; }

    public void resume() { paused = false; }

    public boolean paused() { return paused; }

    public void requestStop() { stopRequested = true; }

    public boolean stopRequested() { return stopRequested; }

    public int chunkSize() { return chunkSize; }

    public Throttle.Limits limits() { return limits; }

    public void limits(Throttle.Limits l) { limits = l; }

    /** Sets or clears (null) the reason the copy is held back. */
    public void throttle(String reason) { throttledBecause = reason; }

    public String throttledBecause() { return throttledBecause; }

    public void chunkSize(int n) {
        if (n < 1 || n > 100_000) throw new IllegalArgumentException("chunk size must be 1..100000");
        chunkSize = n;
    }

    /** Called at every named stage (copy.chunk-read, copy.before-checkpoint-commit, stream.before-commit, ...). */
    public void onStage(Consumer<String> hook) { stageHook = hook; }

    void stage(String name) {
        stageHook.accept(name);
    }

    void awaitRunnable() throws InterruptedException {
        while (paused && !stopRequested) Thread.sleep(100);
        if (stopRequested) throw new InterruptedException("stop requested");
    }

    /** The copy's gate: waits while paused or throttled. */
    void awaitCopyAllowed() throws InterruptedException {
        while ((paused || throttledBecause != null) && !stopRequested) Thread.sleep(100);
        if (stopRequested) throw new InterruptedException("stop requested");
    }
}
