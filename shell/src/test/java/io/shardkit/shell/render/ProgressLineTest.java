package io.shardkit.shell.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ProgressLineTest {
    private static final String ESC = "\033[K";

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out");
            Thread.sleep(20);
        }
    }

    @Test
    void atATerminalTheBarIsRedrawnBelowTheLinesAndClearedAtTheEnd() throws Exception {
        StringWriter term = new StringWriter();
        StringWriter pipe = new StringWriter();
        AtomicInteger renders = new AtomicInteger();
        AtomicInteger pipeRenders = new AtomicInteger();
        try (ProgressLine onTerm = new ProgressLine(new PrintWriter(term), true, () -> { renders.incrementAndGet(); return ProgressLine.bar("copy", 50, 100, "rows"); });
             ProgressLine onPipe = new ProgressLine(new PrintWriter(pipe), false, () -> "never " + pipeRenders.incrementAndGet())) {
            await(() -> term.toString().contains("copy ["));
            onTerm.line("stream g1: started");
            onPipe.line("stream g1: started");
            await(() -> renders.get() >= 2); // a second redraw after the line
        }
        String t = term.toString();
        assertThat(t).contains("\r" + ESC + "copy [############------------] 50% 50/100 rows");
        // the line clears the bar, prints, and the bar comes back under it
        assertThat(t).contains("\r" + ESC + "stream g1: started" + System.lineSeparator() + "copy [");
        assertThat(t).endsWith("\r" + ESC); // cleared at the end: the prompt or the next line starts clean
        // off a terminal: the lines alone, no escape codes, the render never even asked
        assertThat(pipe.toString()).isEqualTo("stream g1: started" + System.lineSeparator());
        assertThat(pipeRenders.get()).isZero();
    }

    @Test
    void aRenderThatFailsDrawsNothingAndTheWorkGoesOn() throws Exception {
        StringWriter term = new StringWriter();
        AtomicInteger calls = new AtomicInteger();
        try (ProgressLine p = new ProgressLine(new PrintWriter(term), true, () -> {
            calls.incrementAndGet();
            throw new IllegalStateException("catalog busy");
        })) {
            await(() -> calls.get() >= 2);
            p.line("done");
        }
        assertThat(term.toString()).doesNotContain("catalog busy").contains("done");
    }

    @Test
    void barsStopAtTheirEndsAndNameTheirUnit() {
        assertThat(ProgressLine.bar("verify j", 0, 10, "rows")).isEqualTo("verify j [------------------------] 0% 0/10 rows");
        assertThat(ProgressLine.bar("verify j", 15, 10, "rows")).startsWith("verify j [########################] 100%");
        assertThat(ProgressLine.bar("copy", 7, 0, "rows")).isEqualTo("copy 7 rows");
    }
}
