package io.shardkit.failover.analysis;

/**
 * Whether a host runs a trivial command through its {@code exec} prefix (ssh, ip netns exec). It
 * tells "mysqld died" (the host answers) from "the machine died" (it does not), which decides
 * whether the dead primary's binlogs can still be salvaged and how it can be fenced.
 */
public enum HostAnswer {
    ANSWERS,
    SILENT,
    /** The topology gives the host no {@code exec} access, so nobody asked. */
    NOT_PROBED
}
