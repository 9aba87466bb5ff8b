package io.shardkit.merge.stream;

import com.github.shyiko.mysql.binlog.event.deserialization.ColumnType;
import com.github.shyiko.mysql.binlog.event.deserialization.json.JsonBinary;
import com.github.shyiko.mysql.binlog.event.deserialization.json.JsonFormatter;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * MySQL's binary JSON (as a binlog row carries it) to JSON text that MySQL parses back into the
 * same document. The binlog library's own formatter writes a double with an exponent as the full
 * decimal expansion of its binary value (1e-7 becomes 75 digits), which the server's JSON parser
 * may round to a neighbouring double, and an integral double such as 1e7 as "10000000", which
 * parses as an integer. Here a double is its shortest round-trip text with its point or exponent
 * kept ("1.0E7", "4.9E-324", "-0.0").
 *
 * <p>What text cannot carry: MySQL's opaque scalars (a DECIMAL, DATE, TIME or DATETIME placed in a
 * document by SQL functions, e.g. JSON_OBJECT('at', NOW())) become the number or string they
 * render as; a DECIMAL such as 1.50 then parses as the double 1.5. shardkit's verify compares the
 * rendered documents and reports such rows.
 */
final class ExactJson implements JsonFormatter {
    private final StringBuilder sb = new StringBuilder();

    static String of(byte[] binary) throws IOException {
        if (binary.length == 0) return "null";
        ExactJson f = new ExactJson();
        JsonBinary.parse(binary, f);
        return f.sb.toString();
    }

    @Override public void beginObject(int n) { sb.append('{'); }
    @Override public void beginArray(int n) { sb.append('['); }
    @Override public void endObject() { sb.append('}'); }
    @Override public void endArray() { sb.append(']'); }
    @Override public void nextEntry() { sb.append(','); }

    @Override
    public void name(String name) {
        string(name);
        sb.append(':');
    }

    @Override public void value(String value) { string(value); }
    @Override public void value(int value) { sb.append(value); }
    @Override public void value(long value) { sb.append(value); }
    @Override public void value(BigInteger value) { sb.append(value); }
    @Override public void value(BigDecimal value) { sb.append(value.toPlainString()); }
    @Override public void value(boolean value) { sb.append(value); }
    @Override public void valueNull() { sb.append("null"); }
    @Override public void valueYear(int year) { sb.append(year); }

    /** Double.toString always keeps a point or an exponent, and is the shortest text that reads back as this double. */
    @Override
    public void value(double value) {
        sb.append(Double.toString(value));
    }

    @Override
    public void valueDate(int year, int month, int day) {
        string(String.format("%04d-%02d-%02d", year, month, day));
    }

    @Override
    public void valueDatetime(int year, int month, int day, int hour, int min, int sec, int micros) {
        string(String.format("%04d-%02d-%02d %02d:%02d:%02d.%06d", year, month, day, hour, min, sec, micros));
    }

    @Override
    public void valueTime(int hour, int min, int sec, int micros) {
        string(String.format("%s%02d:%02d:%02d.%06d", hour < 0 ? "-" : "", Math.abs(hour), min, sec, micros));
    }

    @Override
    public void valueTimestamp(long secondsPastEpoch, int micros) {
        sb.append(secondsPastEpoch).append('.').append(String.format("%06d", micros));
    }

    /** As MySQL renders an opaque value: "base64:type<code>:<bytes>". */
    @Override
    public void valueOpaque(ColumnType type, byte[] value) {
        string("base64:type" + type.getCode() + ":" + java.util.Base64.getEncoder().encodeToString(value));
    }

    private void string(String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
