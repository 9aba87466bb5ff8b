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

    public void pause() { paused = true; }

    public void resume() { paused = false; }

    public boolean paused() { return paused; }

    public void requestStop() { stopRequested = true; }

    public boolean stopRequested() { return stopRequested; }

    public int chunkSize() { return chunkSize; }

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
}
