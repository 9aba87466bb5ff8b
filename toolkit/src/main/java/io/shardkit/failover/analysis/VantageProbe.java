package io.shardkit.failover.analysis;

/**
 * A probe of the primary run from another host (through that host's {@code exec} prefix), so from
 * another zone's network: the only witness besides the replicas that does not share the manager's path.
 */
public record VantageProbe(String zone, String fromHost, Reach reach, String error) {

    public VantageProbe {
        if (reach == null) throw new IllegalArgumentException("vantage probe from " + fromHost + " without an outcome");
    }

    public static VantageProbe answered(String zone, String fromHost) {
        return new VantageProbe(zone, fromHost, Reach.ANSWERED, null);
    }

    public static VantageProbe failed(String zone, String fromHost, Reach reach, String error) {
        return new VantageProbe(zone, fromHost, reach, error);
    }
}
