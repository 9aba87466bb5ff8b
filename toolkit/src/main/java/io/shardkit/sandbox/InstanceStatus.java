package io.shardkit.sandbox;

/** Process-level status of one sandbox instance (what runs, not what the server says: that is discovery). */
public record InstanceStatus(String instance, String host, String zone, String ip, String group, Long pid, boolean running) {}
