package io.shardkit.merge;

/** One reason a merge plan is refused: a stable code, where (group, instance or table), and what. */
public record PlanProblem(Code code, String where, String message) {

    /** Failure codes, stable for scripts. */
    public enum Code {
        UNKNOWN_GROUP, SAME_GROUP, NO_PRIMARY, UNREACHABLE, BINLOG_FORMAT, ROW_IMAGE, GTID_OFF, MISSING_GRANT,
        NO_SUCH_DATABASE, NO_SUCH_TABLE, NO_TABLES, NO_KEY, SCHEMA_MISMATCH, TARGET_NOT_EMPTY, KEY_COLLISION,
        AUTO_INCREMENT_OVERLAP, OFFSET_UNSUPPORTED, OFFSET_OVERFLOW, SERVER_ERROR
    }

    @Override public String toString() { return code + " " + where + ": " + message; }
}
