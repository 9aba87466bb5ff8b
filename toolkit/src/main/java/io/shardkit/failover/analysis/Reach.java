package io.shardkit.failover.analysis;

/**
 * How one probe of a server ended, from whichever vantage point ran it. Four outcomes, not a boolean,
 * because each says something different about where the fault is: a refusal proves the host's kernel
 * is alive, a stall proves the process holds its port but does not work, a timeout proves nothing
 * beyond "no path from here".
 */
public enum Reach {
    /** The server answered the handshake and the probe's queries (and committed the heartbeat, where one was written). */
    ANSWERED,
    /**
     * TCP was accepted but the handshake, a query or the heartbeat write did not finish within the
     * probe's budget: the kernel lives, mysqld is stuck (a SIGSTOP'd process looks exactly like this,
     * since the kernel completes the TCP handshake from the listen backlog on its own).
     */
    STALLED,
    /** Connection refused: the host's kernel answered and nothing listens on the port. */
    REFUSED,
    /** No answer at all within the connect timeout: the host is down, or the path from here is cut. */
    TIMED_OUT;

    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
}
