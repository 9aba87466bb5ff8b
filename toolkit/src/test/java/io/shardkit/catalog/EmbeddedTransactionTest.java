package io.shardkit.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a transaction of the embedded catalog reports is what the file holds, as another connection
 * (another process) reads it: all of it after success, none of it after a failure, and nothing a
 * later statement of the same process writes is held back in a transaction left open. Another
 * connection holding the write lock past the busy timeout is how a loaded machine with several
 * shardkit processes makes a BEGIN fail. (Measured before the fix: a BEGIN that timed out left the
 * pooled connection flagged as in a transaction; the next transaction on it was reported failed,
 * "cannot commit - no transaction is active", while each of its statements had been committed alone.)
 */
class EmbeddedTransactionTest {
    @TempDir
    Path home;

    private long committed(String actor) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + home.resolve(SqliteFile.NAME)); var st = c.createStatement();
             var rs = st.executeQuery("SELECT COUNT(*) FROM audit_log WHERE actor = '" + actor + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void twoRows(Catalog tx, String actor) {
        tx.audit(actor, "first", "ok", null);
        tx.audit(actor, "second", "ok", null);
    }

    @Test
    void aTransactionIsAllOrNothingAfterABeginThatTimedOut() throws Exception {
        try (Catalog catalog = Catalog.embedded(home, 300)) {
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + home.resolve(SqliteFile.NAME)); var st = other.createStatement()) {
                st.execute("BEGIN IMMEDIATE"); // another process writing, longer than the busy timeout
                assertThatThrownBy(() -> catalog.inTransaction(tx -> { twoRows(tx, "blocked"); return null; }))
                        .isInstanceOf(CatalogException.class).hasMessageContaining("locked");
                st.execute("COMMIT");
            }
            assertThat(committed("blocked")).as("a transaction reported failed").isZero();
            // every connection of the pool is used after the failure: each transaction is whole when reported done
            for (int i = 0; i < 6; i++) {
                String actor = "after-" + i;
                catalog.inTransaction(tx -> { twoRows(tx, actor); return null; });
                assertThat(committed(actor)).as("transaction " + i + " after the failed BEGIN").isEqualTo(2);
                catalog.audit("plain-" + i, "one", "ok", null);
                assertThat(committed("plain-" + i)).as("a plain statement after it").isEqualTo(1);
            }
        }
    }

    @Test
    void aTransactionThatThrowsLeavesNothingAndNothingOpen() throws Exception {
        try (Catalog catalog = Catalog.embedded(home, 300)) {
            assertThatThrownBy(() -> catalog.inTransaction(tx -> {
                twoRows(tx, "thrown");
                throw new IllegalStateException("the work failed");
            })).hasMessage("the work failed");
            assertThat(committed("thrown")).isZero();
            catalog.audit("later", "one", "ok", null);
            assertThat(committed("later")).as("a later statement is committed, not inside a transaction left open").isEqualTo(1);
            // and no connection of this process holds the write lock: another writer gets it at once
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + home.resolve(SqliteFile.NAME)); var st = other.createStatement()) {
                st.execute("BEGIN IMMEDIATE");
                st.execute("COMMIT");
            }
        }
    }

    @Test
    void aFailedCommitIsReportedAndRolledBack() throws Exception {
        try (Catalog catalog = Catalog.embedded(home, 300)) {
            // a statement the schema refuses inside the transaction (audit_id is the key): the whole transaction goes
            assertThatThrownBy(() -> catalog.inTransaction(tx -> {
                twoRows(tx, "refused");
                tx.update("INSERT INTO audit_log (audit_id, happened_at, actor, command, outcome) SELECT audit_id, happened_at, actor, command, outcome FROM audit_log WHERE actor = 'refused'");
                return null;
            })).isInstanceOf(CatalogException.class);
            assertThat(committed("refused")).isZero();
        }
    }
}
