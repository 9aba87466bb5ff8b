package io.shardkit.mysql;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;

/**
 * Reads a column the way it must be written back unchanged. Connector/J's default objects lose
 * information for TIME (no fractions, no values past 24 h or below 0), so it travels as text; YEAR
 * comes back as a date and travels as its number; DATETIME/TIMESTAMP as LocalDateTime in the session's UTC.
 */
public final class JdbcValues {
    private JdbcValues() {}

    // with yearIsDateType (the default) even getString renders YEAR as a date: read the number
    private static Object year(ResultSet rs, int i) throws SQLException {
        int y = rs.getInt(i);
        return rs.wasNull() ? null : y;
    }

    public static Object read(ResultSet rs, int i, ResultSetMetaData md) throws SQLException {
        String type = md.getColumnTypeName(i).toUpperCase(java.util.Locale.ROOT);
        switch (md.getColumnType(i)) {
            case Types.TIME:
                return rs.getString(i);
            case Types.TIMESTAMP:
                return rs.getObject(i, java.time.LocalDateTime.class);
            case Types.DATE:
                if (type.equals("YEAR")) return year(rs, i);
                return rs.getObject(i, java.time.LocalDate.class);
            default:
                if (type.equals("YEAR")) return year(rs, i);
                return rs.getObject(i);
        }
    }
}
