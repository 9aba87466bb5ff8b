package io.shardkit.mysql;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Where a password comes from: a MySQL option file section ({@code [section] user=.. password=..})
 * or an environment variable. Topology files and plans store only this reference.
 */
public record CredentialRef(String user, Path optionFile, String section, String envVar) {

    /** Thrown when a referenced secret cannot be read; the message names the reference, never a value. */
    public static final class UnresolvedCredential extends RuntimeException {
        public UnresolvedCredential(String message) {
            super(message);
        }
    }

    public static CredentialRef optionFile(String user, Path file, String section) {
        return new CredentialRef(user, file, section, null);
    }

    public static CredentialRef env(String user, String var) {
        return new CredentialRef(user, null, null, var);
    }

    public Credential resolve() {
        return resolve(System::getenv);
    }

    public Credential resolve(Function<String, String> environment) {
        if (envVar != null) {
            String v = environment.apply(envVar);
            if (v == null) throw new UnresolvedCredential("environment variable " + envVar + " is not set (password of user " + user + ")");
            return new Credential(user, Secret.of(v));
        }
        if (optionFile == null) throw new UnresolvedCredential("no password source for user " + user);
        Map<String, String> values = readSection(optionFile, section);
        String u = values.getOrDefault("user", user);
        String p = values.get("password");
        if (p == null) throw new UnresolvedCredential("option file " + optionFile + " has no password in [" + section + "]");
        return new Credential(u == null ? user : u, Secret.of(p));
    }

    static Map<String, String> readSection(Path file, String section) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UnresolvedCredential("cannot read option file " + file + " (" + e.getClass().getSimpleName() + ")");
        }
        Map<String, String> out = new java.util.LinkedHashMap<>();
        boolean inSection = false;
        boolean found = false;
        for (String raw : lines) {
            String line = raw.trim();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) continue;
            if (line.startsWith("[") && line.endsWith("]")) {
                inSection = line.substring(1, line.length() - 1).trim().equals(section);
                found |= inSection;
                continue;
            }
            if (!inSection) continue;
            int eq = line.indexOf('=');
            if (eq < 0) continue;
            String value = line.substring(eq + 1).trim();
            if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"") || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1);
            }
            out.put(line.substring(0, eq).trim().replace('-', '_'), value);
        }
        if (!found) throw new UnresolvedCredential("option file " + file + " has no section [" + section + "]");
        return out;
    }
}
