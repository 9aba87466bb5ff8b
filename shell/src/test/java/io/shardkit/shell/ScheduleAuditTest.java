package io.shardkit.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The schedule commands on an embedded catalog, and the audit log they (and runbooks) leave. */
class ScheduleAuditTest {

    private static CliBadInputTest.Run sk(Path home, String... args) {
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--home", home.toString())).toArray(String[]::new);
        return CliBadInputTest.run(all);
    }

    @Test
    void schedulesAreAddedCheckedPausedRunAndRemovedAndEachChangeIsAudited(@TempDir Path home) throws Exception {
        Path book = home.resolve("nightly.sk");
        Files.writeString(book, "# nightly check\ncatalog status\nschedule list\n");
        var added = sk(home, "schedule", "add", "nightly", "--cron", "0 3 * * SUN", "--timezone", "Europe/Paris", "--runbook", book.toString(), "--var", "job=m1");
        assertThat(added.exit()).as(added.toString()).isZero();
        assertThat(added.out()).contains("schedule nightly added: 0 3 * * SUN (Europe/Paris), next due ");

        var dup = sk(home, "schedule", "add", "nightly", "--cron", "@daily", "--runbook", book.toString());
        assertThat(dup.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(dup.err()).contains("exists already (--replace");
        var badCron = sk(home, "schedule", "add", "other", "--cron", "0 3 1 * MON", "--runbook", book.toString());
        assertThat(badCron.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(badCron.err()).contains("both a day of month");
        Path typo = home.resolve("typo.sk");
        Files.writeString(typo, "catalog status\ncatalgo status\n");
        var badBook = sk(home, "schedule", "add", "typo", "--cron", "@daily", "--runbook", typo.toString());
        assertThat(badBook.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(badBook.err()).contains(typo + ":2:");

        assertThat(sk(home, "schedule", "pause", "nightly").exit()).isZero();
        var list = sk(home, "schedule", "list");
        assertThat(list.out()).contains("nightly").contains("paused").doesNotContain("typo").doesNotContain("other");
        var show = sk(home, "schedule", "show", "nightly");
        assertThat(show.out()).contains("vars:     {job=m1}").contains("| catalog status").contains("missed:   run-once");

        var now = sk(home, "schedule", "run-now", "nightly");
        assertThat(now.exit()).as(now.toString()).isZero();
        assertThat(now.out()).contains("SUCCEEDED");
        var history = sk(home, "schedule", "history", "nightly");
        assertThat(history.out()).contains("manual").contains("SUCCEEDED");

        assertThat(sk(home, "schedule", "remove", "nightly").exit()).isZero();
        assertThat(sk(home, "schedule", "show", "nightly").exit()).isEqualTo(ExitCodes.BAD_INPUT);

        var audit = sk(home, "audit", "list", "--since", "1h");
        assertThat(audit.exit()).as(audit.toString()).isZero();
        assertThat(audit.out()).contains("schedule add nightly").contains("schedule pause nightly").contains("schedule run-now nightly")
                .contains("schedule remove nightly").contains(" cli ");
        // what only read, and what was refused as bad input, left no line
        assertThat(audit.out()).doesNotContain("schedule list").doesNotContain("schedule show").doesNotContain("typo").doesNotContain("@daily");
    }

    @Test
    void runbookLinesAreAuditedWithTheirRunbookAndSecretsNeverReachTheLog(@TempDir Path home) throws Exception {
        Path book = home.resolve("b.sk");
        Files.writeString(book, "schedule add s1 --cron @hourly --runbook " + home.resolve("inner.sk") + "\n");
        Files.writeString(home.resolve("inner.sk"), "catalog status\n");
        var r = sk(home, "run", book.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        var audit = sk(home, "audit", "list");
        assertThat(audit.out()).contains("runbook " + book).contains("schedule add s1");
        assertThat(Audit.scrub(new String[] {"sandbox", "up", "--admin-password", "hunter2", "--token=abc", "x y"}))
                .isEqualTo("sandbox up --admin-password *** --token=*** 'x y'");
    }
}
