package io.shardkit.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunbookTest {

    @Test
    void aTypoAnywhereStopsTheWholeRunbookBeforeItStarts(@TempDir Path dir) throws Exception {
        Path book = dir.resolve("consolidate.sk");
        // line 2 would fail if executed (no such sandbox), proving that nothing ran when line 4 is bad
        Files.writeString(book, """
                # consolidate shards
                sandbox down --name never-created
                topology check --sandbox x
                topolgy show
                """);
        var r = CliBadInputTest.run("run", book.toString(), "--home", dir.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains(book + ":4:").contains("topolgy").contains("nothing was executed");
        assertThat(r.out()).doesNotContain("sandbox down");
    }

    @Test
    void incompleteCommandsAndBadOptionsAreNamedWithTheirLine(@TempDir Path dir) throws Exception {
        Path book = dir.resolve("b.sk");
        Files.writeString(book, "sandbox\nsandbox up --zonez 3\n");
        var r = CliBadInputTest.run("run", book.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains(book + ":1: 'sandbox' is incomplete").contains(book + ":2:").contains("--zonez");
    }

    @Test
    void runsStepsInOrderAndStopsAtTheFirstFailure(@TempDir Path dir) throws Exception {
        Path book = dir.resolve("c.sk");
        Files.writeString(book, "shardkit sandbox status --name a\nsandbox status --name b\n");
        var r = CliBadInputTest.run("run", book.toString(), "--home", dir.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.out()).contains("c.sk:1> shardkit sandbox status --name a").containsPattern("c.sk:1 failed in \\d+\\.\\d\\d s").doesNotContain("c.sk:2>");
        assertThat(r.err()).contains("no sandbox 'a'").contains("runbook stopped at " + book + ":1");
    }

    @Test
    void checkOnlyValidates(@TempDir Path dir) throws Exception {
        Path book = dir.resolve("d.sk");
        Files.writeString(book, "sandbox status\n\n# nothing else\ntopology show --json\n");
        var r = CliBadInputTest.run("run", book.toString(), "--check");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("2 commands, all valid");
    }

    @Test
    void variablesAndDefaultsAreResolvedAndAnUnsetOneIsNamedWithItsLine(@TempDir Path dir) throws Exception {
        Path book = dir.resolve("v.sk");
        Files.writeString(book, "# vars\nsandbox status --name ${fleet}\nsandbox status --name ${other:-dflt}\n");
        var dry = CliBadInputTest.run("run", book.toString(), "--var", "fleet=f1", "--dry-run", "--home", dir.toString());
        assertThat(dry.exit()).isEqualTo(ExitCodes.OK);
        assertThat(dry.out()).contains("v.sk:2 would run: shardkit sandbox status --name f1").contains("v.sk:3 would run: shardkit sandbox status --name dflt")
                .contains("nothing was executed");

        var unset = CliBadInputTest.run("run", book.toString(), "--home", dir.toString());
        assertThat(unset.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(unset.err()).contains(book + ":2: variable 'fleet' is not set");

        var secret = CliBadInputTest.run("run", book.toString(), "--var", "db_password=x", "--home", dir.toString());
        assertThat(secret.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(secret.err()).contains("--var db_password").doesNotContain("=x");
    }

    @Test
    void aDryRunWithATypoOnLineSevenNamesLineSevenAndRunsNothing(@TempDir Path dir) throws Exception {
        Path book = dir.resolve("consolidate.sk");
        // line 2 creates a sandbox if it runs: the dry run must leave no trace of it
        Files.writeString(book, "# consolidate\nsandbox up --name dry --zones 1 --hosts-per-zone 1 --groups 1 --replicas 0\n\n# gates\nsandbox status --name dry\n"
                + "topology show --sandbox dry\nmerge plna --sandbox dry\n");
        var r = CliBadInputTest.run("run", book.toString(), "--dry-run", "--home", dir.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains(book + ":7:").contains("plna").contains("nothing was executed");
        assertThat(dir.resolve("sandboxes")).doesNotExist();
        assertThat(Files.list(dir).map(p -> p.getFileName().toString()).toList()).noneMatch(n -> n.contains("dry"));
    }
}
