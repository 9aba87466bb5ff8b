package io.shardkit.mysql;

import static io.shardkit.mysql.SqlText.identifier;

import java.util.ArrayList;
import java.util.List;

/**
 * Key-ordered range predicates over a (possibly composite) key, spelled out term by term:
 * MariaDB plans a row-constructor comparison such as {@code (a, b) > (?, ?)} as a full index scan,
 * which would make every chunk start over from the beginning of the table.
 */
public final class KeyRange {
    private KeyRange() {}

    /** "key > last": {@code (a > ?) OR (a = ? AND b > ?) ...}; parameters from {@link #params}. */
    public static String after(List<String> key) {
        return terms(key, " > ", " > ");
    }

    /** "key <= last": {@code (a < ?) OR (a = ? AND b < ?) OR ... (a = ? AND b = ? AND c <= ?)}; parameters from {@link #params}. */
    public static String atMost(List<String> key) {
        return terms(key, " < ", " <= ");
    }

    /** "key >= first": {@code (a > ?) OR (a = ? AND b >= ?) ...}; parameters from {@link #params}. */
    public static String atLeast(List<String> key) {
        return terms(key, " > ", " >= ");
    }

    /** "key < bound": {@code (a < ?) OR (a = ? AND b < ?) ...}; parameters from {@link #params}. */
    public static String before(List<String> key) {
        return terms(key, " < ", " < ");
    }

    private static String terms(List<String> key, String op, String lastOp) {
        List<String> terms = new ArrayList<>();
        for (int i = 0; i < key.size(); i++) {
            List<String> t = new ArrayList<>();
            for (int j = 0; j < i; j++) t.add(identifier(key.get(j)) + " = ?");
            t.add(identifier(key.get(i)) + (i == key.size() - 1 ? lastOp : op) + "?");
            terms.add("(" + String.join(" AND ", t) + ")");
        }
        return "(" + String.join(" OR ", terms) + ")";
    }

    /** Parameters for {@link #after} and {@link #atMost}: the bound's prefix repeated per term. */
    public static <T> List<T> params(List<T> bound) {
        List<T> out = new ArrayList<>();
        for (int i = 0; i < bound.size(); i++) for (int j = 0; j <= i; j++) out.add(bound.get(j));
        return out;
    }

    /** "key is one of n given keys": {@code k IN (?, ...)} or {@code (a = ? AND b = ?) OR ...}; parameters are the keys concatenated. */
    public static String in(List<String> key, int n) {
        if (key.size() == 1) return identifier(key.getFirst()) + " IN (" + String.join(", ", java.util.Collections.nCopies(n, "?")) + ")";
        String one = "(" + String.join(" AND ", key.stream().map(c -> identifier(c) + " = ?").toList()) + ")";
        return "(" + String.join(" OR ", java.util.Collections.nCopies(n, one)) + ")";
    }
}
