package io.shardkit.failover.recovery;

/** Who started a recovery: the monitor on its own, or an operator's command (promote, switchover). */
public enum Trigger { AUTOMATIC, MANUAL }
