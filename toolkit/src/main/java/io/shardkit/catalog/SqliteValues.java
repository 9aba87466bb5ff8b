package io.shardkit.catalog;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;

/**
 * Timestamps in the embedded catalog. SQLite has no timestamp type, and the driver's own conversion
 * keeps milliseconds (epoch millis, or text through a millisecond format), while the catalog's
 * columns are TIMESTAMP(6) and code compares what it stored with microseconds (a verify run's
 * target_clock_start against the rows the stream stamped). So a {@link Timestamp} is stored as UTC
 * text with exactly six fraction digits, "2025-06-01 12:00:00.123456": fixed width, so SQL compares
 * and sorts it correctly as text, and readable in the sqlite3 shell. Digits past the microsecond are
 * dropped, as a TIMESTAMP(6) column drops them.
 */
final class SqliteValues {
    private static final DateTimeFormatter WRITE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);
    /** Also reads SQLite's own CURRENT_TIMESTAMP text (no fraction), e.g. Flyway's installed_on. */
    private static final DateTimeFormatter READ = new DateTimeFormatterBuilder().appendPattern("yyyy-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd().toFormatter();

    private SqliteValues() {}

    /** The value as bound to a statement: a Timestamp becomes its text, anything else is left to the driver. */
    static Object bind(Object value) {
        return value instanceof Timestamp t ? text(t) : value;
    }

    static String text(Timestamp t) {
        return WRITE.format(t.toInstant());
    }

    /** The Timestamp of stored text, or null when the text is not a timestamp. */
    static Timestamp timestamp(String text) {
        try {
            return Timestamp.from(LocalDateTime.parse(text, READ).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * The result set as callers read it: getTimestamp (and getObject(.., Timestamp.class)) parse the
     * stored text, and getObject(.., type) of an SQL NULL is null, as JDBC says (the driver fails with
     * "Bad value for type Long" instead: FreezeSteps reads MAX(map_version) of an empty shard map that
     * way). Every other call goes to the driver's result set unchanged.
     */
    static ResultSet reading(ResultSet rs) {
        return (ResultSet) Proxy.newProxyInstance(SqliteValues.class.getClassLoader(), new Class<?>[] {ResultSet.class}, (proxy, method, args) -> {
            boolean typed = method.getName().equals("getObject") && args.length == 2 && args[1] instanceof Class;
            if (typed || method.getName().equals("getTimestamp") && args.length == 1) {
                Object raw = args[0] instanceof Integer i ? rs.getObject(i) : rs.getObject((String) args[0]);
                if (raw == null) return null;
                if (!typed || args[1] == Timestamp.class) {
                    Timestamp t = timestamp(raw.toString());
                    if (t == null) throw new SQLException("not a timestamp: '" + raw + "'");
                    return t;
                }
            }
            try {
                return method.invoke(rs, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }
}
