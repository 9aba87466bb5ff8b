package io.shardkit.mysql;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A row key as canonical JSON text: equal keys read through JDBC or decoded from a binlog event
 * encode to the same text, so it serves as a map key and as a stored reference that binds back
 * with its type (numbers stay exact numbers: a BIGINT compared with a string is compared as a double).
 */
public final class KeyValues {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);
    private static final java.time.format.DateTimeFormatter DATETIME = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    private KeyValues() {}

    public static String encode(List<?> values) {
        ArrayNode a = JSON.createArrayNode();
        for (Object v : values) {
            switch (v) {
                case null -> a.addNull();
                case Boolean b -> a.add(b ? 1 : 0);
                case java.math.BigDecimal d -> a.add(new java.math.BigDecimal(d.stripTrailingZeros().toPlainString()));
                case java.math.BigInteger i -> a.add(i);
                case Long l -> a.add(java.math.BigInteger.valueOf(l));
                case Integer i -> a.add(java.math.BigInteger.valueOf(i));
                case Short s -> a.add(java.math.BigInteger.valueOf(s));
                case Byte b -> a.add(java.math.BigInteger.valueOf(b));
                case Number n -> a.add(n.toString());
                case byte[] bytes -> a.addObject().put("x", HexFormat.of().formatHex(bytes));
                case java.time.LocalDateTime t -> a.add(DATETIME.format(t));
                default -> a.add(v.toString());
            }
        }
        return a.toString();
    }

    /** The values back, typed for binding: Long or BigInteger, BigDecimal, byte[], String. */
    public static List<Object> decode(String json) {
        try {
            List<Object> out = new ArrayList<>();
            for (JsonNode n : JSON.readTree(json)) {
                if (n.isNull()) out.add(null);
                else if (n.isObject()) out.add(HexFormat.of().parseHex(n.get("x").asText()));
                else if (n.isBigInteger() || n.isIntegralNumber()) out.add(n.bigIntegerValue().bitLength() < 64 ? (Object) n.longValue() : n.bigIntegerValue());
                else if (n.isNumber()) out.add(n.decimalValue());
                else out.add(n.asText());
            }
            return out;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not a key: " + json, e);
        }
    }
}
