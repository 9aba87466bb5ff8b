package io.shardkit.mysql;

/** A resolved user and password; printing it shows the user only. */
public record Credential(String user, Secret password) {
    @Override public String toString() { return user + ":****"; }
}
