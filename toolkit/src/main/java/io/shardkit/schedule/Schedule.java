package io.shardkit.schedule;

import java.time.Instant;
import java.util.Map;

/**
 * A stored schedule: a runbook (its text as added, and the file it came from) run with
 * {@code vars} at every due time of {@code cron}, unless paused.
 */
public record Schedule(String name, Cron cron, String runbookText, String runbookPath, Map<String, String> vars, Missed missed, boolean paused,
        Instant createdAt) {

    /** What a leader does with due times that passed while no leader was up. */
    public enum Missed {
        /** One late run stands for all of them (a nightly verify that missed a night runs once in the morning). */
        RUN_ONCE("run-once"),
        /** None: the next due time runs (a job that only makes sense at its hour). */
        SKIP("skip");

        private final String word;

        Missed(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }

        public static Missed parse(String word) {
            for (Missed m : values()) if (m.word.equalsIgnoreCase(word)) return m;
            throw new IllegalArgumentException("--missed " + word + ": expected run-once or skip");
        }
    }

    /** Names are the catalog's keys and appear in metrics labels: short, no spaces. */
    public static String checkName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("schedule name '" + name + "': use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return name;
    }
}
