package io.shardkit.verify;

import static io.shardkit.mysql.SqlText.identifier;

import io.shardkit.mysql.SqlText;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * One server's view of a table: the SQL expression that yields each target column there, and how a
 * target key value translates into that server's own key value. The target is the identity.
 */
record Side(String name, TableSpec.SourceMap map) {
    static Side target() {
        return new Side("target", null);
    }

    static Side source(TableSpec.SourceMap map) {
        return new Side(map.group(), map);
    }

    boolean isTarget() {
        return map == null;
    }

    /** Expression producing target column {@code c} from this side's row. */
    String expr(String c) {
        if (map != null && map.constants().containsKey(c)) return SqlText.literal(map.constants().get(c));
        if (map != null && map.shifts().containsKey(c)) return "(" + identifier(c) + " + " + map.shifts().get(c) + ")";
        return identifier(c);
    }

    /** This side's value of key column {@code c} for a target value (constants excluded). */
    Object bound(String c, Object targetValue) {
        if (map == null || targetValue == null || !map.shifts().containsKey(c)) return targetValue;
        BigInteger v = targetValue instanceof Number n && !(targetValue instanceof java.math.BigDecimal) ? new BigInteger(n.toString()) : new BigInteger(targetValue.toString());
        BigInteger shifted = v.subtract(BigInteger.valueOf(map.shifts().get(c)));
        return shifted.bitLength() < 64 ? (Object) shifted.longValueExact() : shifted;
    }

    /**
     * This side's chunk-key values for a target row key, or null when the row cannot come from this
     * side (a constant column such as the shard name names another source).
     */
    List<Object> ownKey(TableSpec spec, List<Object> rowKey) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < spec.rowKey().size(); i++) {
            String c = spec.rowKey().get(i);
            Object v = rowKey.get(i);
            if (map != null && map.constants().containsKey(c)) {
                if (!map.constants().get(c).equals(String.valueOf(v))) return null;
                continue;
            }
            out.add(bound(c, v));
        }
        return out;
    }

    /** The key columns this side is queried by: the row key without constant columns. */
    List<String> ownKeyColumns(TableSpec spec) {
        if (map == null) return spec.rowKey();
        return spec.rowKey().stream().filter(c -> !map.constants().containsKey(c)).toList();
    }
}
