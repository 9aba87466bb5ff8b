package io.shardkit.shell.commands;

import java.time.Duration;
import java.util.Locale;

/** Durations as operators type them: 500ms, 2s, 1.5s, 10m, 1h (a bare number is seconds). */
final class Durations {
    private Durations() {}

    static Duration parse(String option, String text) {
        String v = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.endsWith("ms")) return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).trim()));
            if (v.endsWith("s")) return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1).trim()) * 1000));
            if (v.endsWith("m")) return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1).trim()) * 60_000));
            if (v.endsWith("h")) return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1).trim()) * 3_600_000));
            return Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " '" + text + "' is not a duration like 1s or 500ms");
        }
    }
}
