package io.shardkit.mysql;

/** The two server families whose GTID dialects and SQL differ; versions within a family are {@link Flavor}s. */
public enum FlavorFamily { MYSQL, MARIADB }
