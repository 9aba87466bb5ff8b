package io.shardkit.mysql;

/** Result of comparing two GTID sets; {@code DIVERGED} means each has transactions the other lacks (errant GTIDs). */
public enum GtidOrder { EQUAL, AHEAD, BEHIND, DIVERGED }
