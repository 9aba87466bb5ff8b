package io.shardkit.merge;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;

/**
 * Reads a column the way it must be written back unchanged. Connector/J's default objects lose
 * information for TIME (no fractions, no values past 24 h or below 0) and YEAR (returned as a date),
 * so those travel as text; DATETIME/TIMESTAMP as LocalDateTime in the session's UTC.
 */
final class JdbcValues {
    private JdbcValues() {}

    static Object read(ResultSet rs, int i, ResultSetMetaData md) throws SQLException {
        String type = md.getColumnTypeName(i).toUpperCase(java.util.Locale.ROOT);
        switch (md.getColumnType(i)) {
            case Types.TIME:
                return rs.getString(i);
            case Types.TIMESTAMP:
                return rs.getObject(i, java.time.LocalDateTime.class);
            case Types.DATE:
                if (type.equals("YEAR")) return rs.getString(i);
                return rs.getObject(i, java.time.LocalDate.class);
            default:
                if (type.equals("YEAR")) return rs.getString(i);
                return rs.getObject(i);
        }
    }
}
