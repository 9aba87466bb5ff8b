package io.shardkit.failover.recovery;

/** What started a recovery: the monitor, an operator's promote, or a planned switchover (only the monitor's count against anti-flap). */
public enum Trigger { AUTOMATIC, MANUAL, SWITCHOVER }
