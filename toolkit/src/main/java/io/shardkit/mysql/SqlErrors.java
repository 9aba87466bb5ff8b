package io.shardkit.mysql;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;

/**
 * The one place SQL errors are classified. Callers act on the class: retry, reconnect, or give up.
 * Error codes are the server's (identical in MySQL and MariaDB for these); SQLState class 08 and
 * Connector/J's communications exceptions mean the connection is gone.
 */
public final class SqlErrors {

    /** What a caller should do about an error. */
    public enum ErrorClass {
        /** Lock wait timeout, deadlock, query interrupted by a KILL QUERY: run the transaction again. */
        RETRYABLE,
        /** The connection is gone or never came up: reconnect (maybe to another server). */
        CONNECTION_LOST,
        /** Wrong password or missing privilege: nothing will change by retrying. */
        ACCESS_DENIED,
        /** The server refuses writes (read_only / super_read_only): it is fenced or a replica. */
        READ_ONLY,
        /** Anything else: a bug or bad input; stop and report. */
        FATAL
    }

    private static final Set<Integer> RETRYABLE = Set.of(1205, 1213, 1317, 3572);
    private static final Set<Integer> CONNECTION = Set.of(2002, 2003, 2005, 2006, 2013, 2055, 1040, 1053, 1927);
    private static final Set<Integer> ACCESS = Set.of(1044, 1045, 1142, 1143, 1227, 1698, 1370);
    private static final Set<Integer> READ_ONLY = Set.of(1290, 1836);

    private SqlErrors() {}

    public static ErrorClass classify(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                int code = s.getErrorCode();
                if (RETRYABLE.contains(code)) return ErrorClass.RETRYABLE;
                if (CONNECTION.contains(code)) return ErrorClass.CONNECTION_LOST;
                if (ACCESS.contains(code)) return ErrorClass.ACCESS_DENIED;
                if (READ_ONLY.contains(code)) return ErrorClass.READ_ONLY;
                String state = s.getSQLState();
                if (state != null && state.startsWith("08")) return ErrorClass.CONNECTION_LOST;
                if (s instanceof SQLTransientConnectionException) return ErrorClass.CONNECTION_LOST;
                if (s.getClass().getName().contains("CommunicationsException")) return ErrorClass.CONNECTION_LOST;
                // a pool closed under its user (the job replaced it for a new primary): the work moves to the new pool
                if (s.getMessage() != null && s.getMessage().startsWith("HikariDataSource ") && s.getMessage().endsWith(" has been closed.")) return ErrorClass.CONNECTION_LOST;
            }
        }
        return ErrorClass.FATAL;
    }

    /**
     * A one-line description safe for operators: the server's message and code, never the URL or
     * properties a driver might echo (Connector/J can include the connection string).
     */
    public static String describe(SQLException e) {
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
        if (classify(e) == ErrorClass.CONNECTION_LOST && msg.startsWith("Communications link failure")) {
            msg = "connection failed (server unreachable or not answering)";
        }
        return msg + (e.getErrorCode() != 0 ? " [" + e.getErrorCode() + "]" : "");
    }
}
