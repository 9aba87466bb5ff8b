package io.shardkit.failover.election;

/** One filter a candidate failed, with the facts. */
public record Rejection(Filter filter, String detail) {
    @Override
    public String toString() {
        return filter.word() + ": " + detail;
    }
}
