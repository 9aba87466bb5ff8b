package io.shardkit.mysql;

/** A server address: the instance's own secondary IP (or a writer IP) and port. */
public record Endpoint(String host, int port) {
    public Endpoint {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("endpoint host is empty");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("endpoint port " + port + " out of range");
    }

    @Override public String toString() { return host + ":" + port; }
}
