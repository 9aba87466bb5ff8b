package io.shardkit.mysql;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;

/**
 * Reads a column the way it must be written back unchanged. Temporal values travel as the
 * server's own text (Connector/J's objects refuse zero dates, lose TIME's sign, fractions and
 * hours past 24, and a TIMESTAMP would pass through the JVM's time zone); YEAR as its number (the
 * driver would make it a date); BIT as bytes; TINYINT(1) as a number, never a boolean (2 would
 * come back as 1).
 */
public final class JdbcValues {
    private JdbcValues() {}

    /**
     * The server's own rendering of a temporal value, taken as bytes: Connector/J's getString parses
     * TIME and renders it again, and a negative time under one hour ("-00:00:00.001") loses its sign.
     */
    private static String text(ResultSet rs, int i) throws SQLException {
        byte[] b = rs.getBytes(i);
        return b == null ? null : new String(b, java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static Object intOrNull(ResultSet rs, int i) throws SQLException {
        int v = rs.getInt(i);
        return rs.wasNull() ? null : v;
    }

    private static Object longOrNull(ResultSet rs, int i) throws SQLException {
        long v = rs.getLong(i);
        return rs.wasNull() ? null : v;
    }

    /**
     * A column selected through {@link ColumnType#valueExpr}: the exact stored value, as
     * {@link RowWrites#bind} writes it back (ENUM as {@link EnumIndex}, SET as its bit mask, FLOAT
     * as the DOUBLE holding it).
     */
    public static Object read(ResultSet rs, int i, ColumnType t) throws SQLException {
        return switch (t.kind()) {
            case INTEGER -> t.unsigned() ? unsigned(rs, i) : longOrNull(rs, i);
            case DECIMAL -> rs.getBigDecimal(i);
            case FLOAT, DOUBLE -> {
                double d = rs.getDouble(i);
                yield rs.wasNull() ? null : d;
            }
            case YEAR -> intOrNull(rs, i);
            case DATE, DATETIME, TIMESTAMP, TIME -> text(rs, i);
            case JSON, TEXT -> rs.getString(i);
            case ENUM -> {
                int v = rs.getInt(i);
                yield rs.wasNull() ? null : new EnumIndex(v);
            }
            case SET -> longOrNull(rs, i);
            case BIT, BINARY, SPATIAL, OTHER -> rs.getBytes(i);
        };
    }

    /** Long where it fits, BigInteger above 2^63 - 1 (BIGINT UNSIGNED). */
    private static Object unsigned(ResultSet rs, int i) throws SQLException {
        java.math.BigDecimal d = rs.getBigDecimal(i);
        if (d == null) return null;
        java.math.BigInteger b = d.toBigIntegerExact();
        return b.bitLength() < 64 ? (Object) b.longValue() : b;
    }

    /** A column whose type is known only from the result's metadata (keys): the same representations where they can be told apart. */
    public static Object read(ResultSet rs, int i, ResultSetMetaData md) throws SQLException {
        String type = md.getColumnTypeName(i).toUpperCase(java.util.Locale.ROOT);
        if (type.equals("YEAR")) return intOrNull(rs, i);
        return switch (md.getColumnType(i)) {
            case Types.TIME, Types.TIMESTAMP, Types.DATE -> text(rs, i);
            case Types.BIT, Types.BOOLEAN -> type.startsWith("BIT") ? rs.getBytes(i) : longOrNull(rs, i);
            case Types.TINYINT, Types.SMALLINT, Types.INTEGER -> longOrNull(rs, i);
            default -> rs.getObject(i);
        };
    }
}
