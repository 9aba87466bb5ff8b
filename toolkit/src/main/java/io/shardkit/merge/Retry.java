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
        try {
            onConflict(() -> {
                tx.run();
                return null;
            });
        } catch (SQLException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code work} again while it fails with a retryable SQL error (deadlock, lock wait), up to 50 times. */
    static <T> T onConflict(java.util.concurrent.Callable<T> work) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return work.call();
            } catch (SQLException e) {
                if (SqlErrors.classify(e) != SqlErrors.ErrorClass.RETRYABLE || attempt >= 50) throw e;
                Thread.sleep(Math.min(200L, 5L * attempt));
            }
        }
    }
}
