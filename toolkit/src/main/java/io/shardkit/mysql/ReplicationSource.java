package io.shardkit.mysql;

/** Where a replica should replicate from; the password is held as a {@link Secret}. */
public record ReplicationSource(String host, int port, String user, Secret password) {}
