package io.shardkit.merge.stream;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Debezium records to {@link RowChange}/{@link SchemaChange}: the only place that knows Debezium's
 * envelope and its logical types. Values come back as what {@link io.shardkit.mysql.RowWrites}
 * binds exactly: most column types as {@link ExactConverter} produced them (temporal values as
 * MySQL text, ENUM as {@link io.shardkit.mysql.EnumIndex}, SET as its bit mask, BIT as bytes),
 * DECIMAL and BIGINT UNSIGNED as BigDecimal, binary as byte[], FLOAT as Float.
 */
final class RecordConverter {
    private RecordConverter() {}

    /** Either a row change, a schema change, or null for records shardkit ignores (heartbeats, tombstones). */
    static Object convert(SourceRecord r) {
        if (r.value() == null || !(r.value() instanceof Struct v)) return null;
        Schema schema = v.schema();
        @SuppressWarnings("unchecked")
        Map<String, Object> position = (Map<String, Object>) r.sourceOffset();
        if (schema.field("ddl") != null) {
            String db = schema.field("databaseName") != null ? v.getString("databaseName") : null;
            Struct src = schema.field("source") != null ? v.getStruct("source") : null;
            Object snap = src != null && src.schema().field("snapshot") != null ? src.get("snapshot") : null;
            boolean snapshot = snap != null && !"false".equals(snap.toString()) || Boolean.TRUE.equals(position.get("snapshot"));
            return new SchemaChange(db, v.getString("ddl"), snapshot, Map.copyOf(position));
        }
        if (schema.field("op") == null) return null;
        String op = v.getString("op");
        Struct source = v.getStruct("source");
        String db = source.getString("db");
        String table = source.getString("table");
        String gtid = source.schema().field("gtid") != null ? source.getString("gtid") : null;
        Map<String, Object> before = image(v.getStruct("before"), null);
        java.util.Set<String> uncertain = new java.util.LinkedHashSet<>();
        Map<String, Object> after = image(v.getStruct("after"), uncertain);
        RowChange.Op kind = switch (op) {
            case "c", "r" -> RowChange.Op.INSERT;
            case "u" -> RowChange.Op.UPDATE;
            case "d" -> RowChange.Op.DELETE;
            default -> null;
        };
        if (kind == null) return null;
        return new RowChange(db, table, kind, before, after, Map.copyOf(position), gtid, uncertain.isEmpty() ? java.util.Set.of() : java.util.Set.copyOf(uncertain));
    }

    /** A row image; values {@link ExactConverter} could not carry are left null and named in {@code uncertain} (when given). */
    private static Map<String, Object> image(Struct s, java.util.Set<String> uncertain) {
        if (s == null) return null;
        Map<String, Object> out = new LinkedHashMap<>();
        for (Field f : s.schema().fields()) {
            Object raw = s.get(f);
            if (ExactConverter.UNCERTAIN.equals(raw)) {
                if (uncertain != null) uncertain.add(f.name());
                out.put(f.name(), null);
            } else {
                out.put(f.name(), value(f.schema(), raw));
            }
        }
        return out;
    }

    static Object value(Schema schema, Object v) {
        if (v == null) return null;
        String name = schema.name();
        if (name != null) {
            switch (name) {
                case ExactConverter.ENUM_INDEX:
                    return new io.shardkit.mysql.EnumIndex(((Number) v).intValue());
                case ExactConverter.SET_BITS:
                    return ((Number) v).longValue();
                case ExactConverter.TEMPORAL:
                    return v.toString();
                case "io.debezium.time.Date":
                    return LocalDate.ofEpochDay(((Number) v).longValue());
                case "io.debezium.time.Timestamp":
                    return LocalDateTime.ofEpochSecond(Math.floorDiv(((Number) v).longValue(), 1000), (int) Math.floorMod(((Number) v).longValue(), 1000) * 1_000_000, ZoneOffset.UTC);
                case "io.debezium.time.MicroTimestamp":
                    return LocalDateTime.ofEpochSecond(Math.floorDiv(((Number) v).longValue(), 1_000_000), (int) Math.floorMod(((Number) v).longValue(), 1_000_000) * 1000, ZoneOffset.UTC);
                case "io.debezium.time.NanoTimestamp":
                    return LocalDateTime.ofEpochSecond(Math.floorDiv(((Number) v).longValue(), 1_000_000_000), (int) Math.floorMod(((Number) v).longValue(), 1_000_000_000), ZoneOffset.UTC);
                case "io.debezium.time.ZonedTimestamp":
                    return OffsetDateTime.parse((String) v).atZoneSameInstant(ZoneOffset.UTC).toLocalDateTime();
                case "io.debezium.time.MicroTime":
                    return timeText(((Number) v).longValue());
                case "io.debezium.time.Time":
                    return timeText(((Number) v).longValue() * 1000);
                case "io.debezium.time.NanoTime":
                    return timeText(((Number) v).longValue() / 1000);
                case "io.debezium.data.Bits":
                    return bits(v);
                default:
                    break;
            }
        }
        if (v instanceof ByteBuffer b) {
            byte[] out = new byte[b.remaining()];
            b.duplicate().get(out);
            return out;
        }
        return v;
    }

    /** Microseconds to MySQL TIME text, e.g. -838:59:59.000000 .. 838:59:59.000000. */
    static String timeText(long micros) {
        String sign = micros < 0 ? "-" : "";
        long m = Math.abs(micros);
        long secs = m / 1_000_000;
        return String.format("%s%02d:%02d:%02d.%06d", sign, secs / 3600, (secs / 60) % 60, secs % 60, m % 1_000_000);
    }

    /** Debezium sends BIT(n>1) as little-endian bytes. */
    static Object bits(Object v) {
        byte[] le = v instanceof ByteBuffer b ? toArray(b) : (byte[]) v;
        byte[] be = new byte[le.length + 1];
        for (int i = 0; i < le.length; i++) be[le.length - i] = le[i];
        return new BigInteger(be).longValue();
    }

    private static byte[] toArray(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
