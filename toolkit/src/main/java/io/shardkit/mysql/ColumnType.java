package io.shardkit.mysql;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a column's values travel exactly: what to select to read the stored value without loss, what
 * to hash so that two different stored values never hash alike, and how a value is represented in
 * Java on its way to a write (see {@link JdbcValues} and {@link RowWrites}). Parsed from
 * information_schema's COLUMN_TYPE, which both flavors spell the same way.
 *
 * <p>The traps it exists for: FLOAT renders with six significant digits (read it as a DOUBLE);
 * ENUM and SET render their labels, and an ENUM's invalid value (index 0, stored under a
 * permissive sql_mode) renders as '' exactly like a member '' (read and write the index); BIT,
 * BINARY and spatial values are bytes, not text.
 */
public record ColumnType(String name, Kind kind, boolean unsigned, int length, int fsp, String charset) {

    /** The value families that travel differently. */
    public enum Kind { INTEGER, DECIMAL, FLOAT, DOUBLE, BIT, YEAR, DATE, DATETIME, TIMESTAMP, TIME, ENUM, SET, JSON, TEXT, BINARY, SPATIAL, OTHER }

    private static final Pattern ARGS = Pattern.compile("^[a-z]+\\s*\\((\\d+)(?:\\s*,\\s*(\\d+))?\\)");

    /**
     * @param columnType information_schema.COLUMNS.COLUMN_TYPE, e.g. "datetime(6)", "int(10) unsigned", "enum('a','b')"
     * @param charset    CHARACTER_SET_NAME (null for non-text columns)
     */
    public static ColumnType of(String name, String columnType, String charset) {
        String t = columnType.toLowerCase(Locale.ROOT).strip();
        String base = t.replaceAll("[\\s(].*$", "");
        Matcher m = ARGS.matcher(t);
        int first = m.find() ? Integer.parseInt(m.group(1)) : -1;
        Kind kind = switch (base) {
            case "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "bool", "boolean" -> Kind.INTEGER;
            case "decimal", "numeric", "dec", "fixed" -> Kind.DECIMAL;
            case "float" -> Kind.FLOAT;
            case "double", "real" -> Kind.DOUBLE;
            case "bit" -> Kind.BIT;
            case "year" -> Kind.YEAR;
            case "date" -> Kind.DATE;
            case "datetime" -> Kind.DATETIME;
            case "timestamp" -> Kind.TIMESTAMP;
            case "time" -> Kind.TIME;
            case "enum" -> Kind.ENUM;
            case "set" -> Kind.SET;
            case "json" -> Kind.JSON;
            case "char", "varchar", "tinytext", "text", "mediumtext", "longtext" -> Kind.TEXT;
            case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob" -> Kind.BINARY;
            case "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon", "geometrycollection", "geomcollection" -> Kind.SPATIAL;
            default -> Kind.OTHER;
        };
        boolean temporal = kind == Kind.DATETIME || kind == Kind.TIMESTAMP || kind == Kind.TIME;
        int fsp = temporal && first > 0 ? first : 0;
        int length = kind == Kind.BIT ? Math.max(1, first) : first;
        return new ColumnType(name, kind, t.contains("unsigned"), length, fsp, charset == null ? null : charset.toLowerCase(Locale.ROOT));
    }

    /** What to select so the value reads back exactly (and writes back as the same stored value). */
    public String valueExpr(String expr) {
        return switch (kind) {
            // a DOUBLE holds every float exactly and both flavors print it shortest-exact; * 1e0 (not + 0) keeps -0,
            // and unlike CAST(.. AS DOUBLE) works before MySQL 8.0.17
            case FLOAT -> "(" + expr + " * 1e0)";
            case ENUM, SET -> "(" + expr + " + 0)";
            default -> expr;
        };
    }

    /** What a row hash covers for this column: the exact value, and for ENUM/SET both index and label. */
    public String hashExpr(String expr) {
        return switch (kind) {
            case FLOAT -> valueExpr(expr);
            case ENUM, SET -> "CONCAT((" + expr + " + 0), ':', " + expr + ")";
            default -> expr;
        };
    }

    /** Whether the hashed text can contain the hash's separator, so the row hash must frame it with its length. */
    public boolean framedAsString() {
        return switch (kind) {
            case INTEGER, DECIMAL, FLOAT, DOUBLE, YEAR, DATE, DATETIME, TIMESTAMP, TIME -> false;
            default -> true;
        };
    }

    /** True for DATE and DATETIME: the types whose zero and partial-zero values a binlog decoder may not carry. */
    public boolean calendarDate() {
        return kind == Kind.DATE || kind == Kind.DATETIME;
    }
}
