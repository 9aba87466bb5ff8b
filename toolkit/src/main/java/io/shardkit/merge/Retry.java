package io.shardkit.merge;

import io.shardkit.mysql.SqlErrors;
import java.sql.SQLException;

/** Runs a target transaction again on deadlock or lock-wait timeout (the copy and the stream touch the same rows). */
final class Retry {
    interface Tx {
        void run() throws SQLException;
    }

    private Retry() {}

    static void onConflict(Tx tx) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                tx.run();
                return;
            } catch (SQLException e) {
                if (SqlErrors.classify(e) != SqlErrors.ErrorClass.RETRYABLE || attempt >= 50) throw e;
                try {
                    Thread.sleep(Math.min(200L, 5L * attempt));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
