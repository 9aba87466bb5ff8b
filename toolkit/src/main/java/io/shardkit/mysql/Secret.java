package io.shardkit.mysql;

/**
 * A password held so that no toString, log line, exception or JSON dump can reveal it: only
 * {@link #reveal()} returns the text, and every call site of it is a place that hands it to a server.
 */
public final class Secret {
    private final String value;

    private Secret(String value) {
        this.value = value == null ? "" : value;
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    public String reveal() {
        return value;
    }

    @Override public String toString() { return "****"; }
}
