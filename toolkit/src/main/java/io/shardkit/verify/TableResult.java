package io.shardkit.verify;

import java.util.List;

/**
 * What verifying one table found.
 *
 * @param mode            "chunks" (every chunk of the table) or "keys" (only rows written since a clean pass)
 * @param chunks          chunks compared (keys mode: batches of keys)
 * @param rows            target rows compared
 * @param mismatchedChunks chunks whose checksums differed at first sight
 * @param diffs           rows that still differed after every re-check
 * @param settled         false when a re-check could not wait for the stream (not running): in-flight changes may show as diffs
 * @param inFlight        rows that differed in every re-check while the stream kept writing them: left to the next pass over touched rows
 */
public record TableResult(String table, String mode, long chunks, long rows, long mismatchedChunks, List<RowDiff> diffs, long millis, boolean settled,
                          long inFlight) {
    public boolean clean() {
        return diffs.isEmpty();
    }
}
