package io.shardkit.merge.stream;

import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.BitSet;
import java.util.Locale;
import java.util.Properties;
import org.apache.kafka.connect.data.SchemaBuilder;

/**
 * Debezium's own extension point for column values, used where its standard conversions lose the
 * stored value: it receives what the binlog decoder produced, before Debezium's conversion.
 * <ul>
 * <li>ENUM and SET arrive as their index and bit mask (Debezium's label loses the invalid index 0,
 * which shares the label '' with a member '');</li>
 * <li>YEAR 0000 arrives as 0 (the decoder adds 1900 to the stored byte, giving an out-of-range 1900);</li>
 * <li>BIT as its bytes, most significant first;</li>
 * <li>DATE, DATETIME, TIMESTAMP and TIME as MySQL text, fractions rounded to the microsecond
 * (the decoder computes nanoseconds in floating point: 0.999999 s can come out 1 ns short), the
 * TIMESTAMP at second 0 as the zero timestamp;</li>
 * <li>a DATE or DATETIME the decoder could not represent (zero and partial-zero dates) as
 * {@link #UNCERTAIN}: the decoder hands over null for all of them, as for NULL itself; the apply
 * re-reads such rows from their source. An invalid calendar date (2021-02-30, kept under
 * ALLOW_INVALID_DATES) makes the decoder fail the whole event, and the stream stops;</li>
 * <li>MySQL's binary JSON through {@link ExactJson};</li>
 * <li>spatial values as the server's own bytes (Debezium makes a structure of WKB and SRID);</li>
 * <li>latin1 text decoded as MySQL decodes it (Java's windows-1252 has no character for five of its bytes).</li>
 * </ul>
 * Defaults in the table definition also pass through here (as labels and text): any value of the
 * right type will do, since rows never take their values from the schema.
 */
public final class ExactConverter implements CustomConverter<SchemaBuilder, RelationalColumn> {
    /** Schema names RecordConverter turns back into shardkit's value types. */
    static final String ENUM_INDEX = "io.shardkit.EnumIndex", SET_BITS = "io.shardkit.SetBits", TEMPORAL = "io.shardkit.Temporal";
    /** Stands for a calendar value the decoder could not carry: the row is read again from its source. */
    static final String UNCERTAIN = "\u0000uncertain";

    @Override
    public void configure(Properties props) {
        // nothing to configure
    }

    @Override
    public void converterFor(RelationalColumn column, ConverterRegistration<SchemaBuilder> registration) {
        String type = column.typeName().toUpperCase(Locale.ROOT);
        switch (type) {
            case "ENUM" -> registration.register(SchemaBuilder.int32().name(ENUM_INDEX).optional(), v -> v instanceof Number n ? n.intValue() : v == null ? null : 0);
            case "SET" -> registration.register(SchemaBuilder.int64().name(SET_BITS).optional(), v -> v instanceof Number n ? n.longValue() : v == null ? null : 0L);
            case "YEAR" -> registration.register(SchemaBuilder.int32().optional(), ExactConverter::year);
            case "BIT" -> {
                int bits = column.length().orElse(1);
                registration.register(SchemaBuilder.bytes().optional(), v -> bits(v, bits));
            }
            case "DATE", "DATETIME" -> registration.register(SchemaBuilder.string().name(TEMPORAL).optional(), ExactConverter::calendar);
            case "TIMESTAMP" -> registration.register(SchemaBuilder.string().name(TEMPORAL).optional(), ExactConverter::timestamp);
            case "TIME" -> registration.register(SchemaBuilder.string().name(TEMPORAL).optional(), ExactConverter::time);
            case "JSON" -> registration.register(SchemaBuilder.string().optional(), ExactConverter::json);
            // the server's own format (SRID, then WKB), which a geometry column takes back as it is
            case "GEOMETRY", "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION", "GEOMCOLLECTION" ->
                    registration.register(SchemaBuilder.bytes().optional(), v -> v instanceof byte[] ? v : null);
            default -> {
                if ("latin1".equalsIgnoreCase(column.charsetName()) && isText(type)) {
                    registration.register(SchemaBuilder.string().optional(), v -> v instanceof byte[] b ? Latin1.decode(b) : v == null ? null : v.toString());
                }
            }
        }
    }

    private static boolean isText(String type) {
        return type.endsWith("CHAR") || type.endsWith("TEXT");
    }

    static Object year(Object v) {
        if (v instanceof java.time.Year y) return y.getValue() == 1900 ? 0 : y.getValue();
        if (v instanceof Number n) return n.intValue();
        return v == null ? null : 0;
    }

    /** BIT(n) as big-endian bytes, ceil(n / 8) of them, as the column stores and reads them. */
    static Object bits(Object v, int bits) {
        if (v instanceof byte[] b) return b;
        if (!(v instanceof BitSet set)) return v == null ? null : new byte[(bits + 7) / 8];
        byte[] out = new byte[(bits + 7) / 8];
        for (int i = set.nextSetBit(0); i >= 0; i = set.nextSetBit(i + 1)) out[out.length - 1 - i / 8] |= (byte) (1 << (i % 8));
        return out;
    }

    static Object calendar(Object v) {
        if (v instanceof LocalDate d) return d.equals(LocalDate.EPOCH) ? UNCERTAIN : d.toString();
        if (v instanceof LocalDateTime t) return t.equals(LocalDateTime.of(1970, 1, 1, 0, 0)) ? UNCERTAIN : dateTime(t);
        if (v instanceof String s) return s; // a default in the table definition
        return UNCERTAIN;
    }

    static Object timestamp(Object v) {
        if (v instanceof ZonedDateTime z) {
            if (z.toEpochSecond() == 0 && z.getNano() == 0) return "0000-00-00 00:00:00"; // the zero TIMESTAMP is stored as second 0
            return dateTime(z.withZoneSameInstant(ZoneOffset.UTC).toLocalDateTime());
        }
        return v == null ? null : v.toString();
    }

    static Object time(Object v) {
        if (!(v instanceof Duration d)) return v == null ? null : v.toString();
        long micros = Math.round(d.toNanos() / 1000.0);
        String sign = micros < 0 ? "-" : "";
        long m = Math.abs(micros);
        long secs = m / 1_000_000;
        return String.format("%s%02d:%02d:%02d.%06d", sign, secs / 3600, (secs / 60) % 60, secs % 60, m % 1_000_000);
    }

    static Object json(Object v) {
        if (v instanceof byte[] b) {
            try {
                return ExactJson.of(b);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("unreadable binary JSON in the binlog: " + e.getMessage(), e);
            }
        }
        return v == null ? null : v.toString();
    }

    /** yyyy-MM-dd HH:mm:ss.ffffff, the fraction rounded to the microsecond (see the class comment). */
    static String dateTime(LocalDateTime t) {
        long micros = Math.round(t.getNano() / 1000.0);
        LocalDateTime whole = t.withNano(0);
        if (micros == 1_000_000) { // only when the decoder's error crosses a second, which a rounding of nanoseconds cannot make real
            whole = whole.plusSeconds(1);
            micros = 0;
        }
        return String.format("%04d-%02d-%02d %02d:%02d:%02d.%06d", whole.getYear(), whole.getMonthValue(), whole.getDayOfMonth(),
                whole.getHour(), whole.getMinute(), whole.getSecond(), micros);
    }

    /** MySQL's latin1: windows-1252, except that its five unassigned bytes stand for the C1 controls of the same number. */
    static final class Latin1 {
        private static final char[] TABLE = new char[256];

        static {
            java.nio.charset.Charset cp1252 = java.nio.charset.Charset.forName("windows-1252");
            for (int b = 0; b < 256; b++) {
                String s = new String(new byte[] {(byte) b}, cp1252);
                TABLE[b] = s.length() == 1 && s.charAt(0) != '\uFFFD' ? s.charAt(0) : (char) b;
            }
        }

        private Latin1() {}

        static String decode(byte[] bytes) {
            char[] out = new char[bytes.length];
            for (int i = 0; i < bytes.length; i++) out[i] = TABLE[bytes[i] & 0xff];
            return new String(out);
        }
    }
}
