package io.shardkit.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadDataTest {

    private static String text(LoadData.Rows rows) {
        return new String(rows.toBytes(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void separatorsEscapesAndNullAreLoadDataDefaults() throws Exception {
        LoadData.Rows rows = new LoadData.Rows();
        rows.value("a\tb\nc\\d");
        rows.value((byte[]) null);
        rows.value("");
        rows.value(new byte[] {0, (byte) 0xff, 'N'});
        rows.endRow();
        rows.value("\\N");
        rows.endRow();
        assertThat(text(rows)).isEqualTo("a\\tb\\nc\\\\d\t\\N\t\t\\0\u00ffN\n\\\\N\n");
        assertThat(rows.rows()).isEqualTo(2);
    }

    @Test
    void growsPastItsFirstBufferAndClears() throws Exception {
        LoadData.Rows rows = new LoadData.Rows();
        byte[] big = new byte[100_000];
        java.util.Arrays.fill(big, (byte) '\t');
        rows.value(big);
        rows.endRow();
        assertThat(text(rows)).hasSize(200_001);
        rows.clear();
        assertThat(text(rows)).isEmpty();
        assertThat(rows.rows()).isZero();
    }

    @Test
    void statementNamesTheColumnsInOrderAndIgnoresDuplicates() {
        assertThat(LoadData.sql("db", "t", List.of("id", "_shard"), java.util.Set.of()))
                .isEqualTo("LOAD DATA LOCAL INFILE 'shardkit-chunk' IGNORE INTO TABLE `db`.`t` CHARACTER SET utf8mb4"
                        + " FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (`id`, `_shard`)");
    }

    @Test
    void enumAndSetFieldsAreAssignedAsNumbersNotMatchedAsLabels() {
        // a field "1" would otherwise match a label '1' before being taken for index 1
        assertThat(LoadData.sql("db", "t", List.of("id", "e", "s"), java.util.Set.of("e", "s")))
                .endsWith("(`id`, @sk1, @sk2) SET `e` = CAST(@sk1 AS UNSIGNED), `s` = CAST(@sk2 AS UNSIGNED)");
    }
}
