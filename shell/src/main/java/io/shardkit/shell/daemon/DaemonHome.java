package io.shardkit.shell.daemon;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Where the daemon of a state directory lives: its socket, lock and log under --home, and the
 * build stamp both sides compare (a daemon left running across an upgrade must not answer for the
 * new build).
 */
public record DaemonHome(Path home) {
    /** A Unix socket path is at most 107 bytes on Linux. */
    static final int MAX_SOCKET_PATH = 107;

    public Path socket() { return home.resolve("daemon.sock"); }

    public Path lock() { return home.resolve("daemon.lock"); }

    public Path log() { return home.resolve("daemon.log"); }

    boolean socketPathFits() {
        return socket().toAbsolutePath().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH;
    }

    /** Root options that take a value and may stand before the command's words. */
    private static final List<String> ROOT_VALUED = List.of("--home", "--catalog", "--catalog-user", "--catalog-option-file");

    /** The state directory a command line names, as picocli will read it: --home, else $SHARDKIT_HOME, else ~/.shardkit. */
    static Path of(String[] args, Map<String, String> env, Path cwd) {
        String home = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--home") && i + 1 < args.length) home = args[++i];
            else if (args[i].startsWith("--home=")) home = args[i].substring("--home=".length());
        }
        if (home == null) home = env.get("SHARDKIT_HOME");
        return home != null ? cwd.resolve(home) : Path.of(System.getProperty("user.home"), ".shardkit");
    }

    /** The command's words ("merge verify"): the first two arguments that are neither options nor a root option's value. */
    static String command(String[] args) {
        StringBuilder words = new StringBuilder();
        int n = 0;
        for (int i = 0; i < args.length && n < 2; i++) {
            String a = args[i];
            if (ROOT_VALUED.contains(a)) { i++; continue; }
            if (a.startsWith("-")) continue;
            words.append(n++ == 0 ? "" : " ").append(a);
        }
        return words.toString();
    }

    /**
     * Names, sizes and modification times of the class path's files: equal stamps, same code. A
     * set, so the launcher may name a jar twice (its own jars first, for a quick start) and the
     * same jars reached through another path are the same build.
     */
    static String buildStamp() {
        java.util.SortedSet<String> files = new java.util.TreeSet<>();
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            try {
                Path p = Path.of(entry);
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                // no string concatenation or lambda on the client's path: their first use bootstraps
                // invokedynamic machinery, which costs more than the whole request
                files.add(new StringBuilder().append(p.getFileName()).append('/').append(a.size()).append('/').append(a.lastModifiedTime().toMillis()).toString());
            } catch (IOException | RuntimeException e) {
                files.add(new StringBuilder(entry).append("/missing").toString());
            }
        }
        CRC32 crc = new CRC32();
        for (String f : files) crc.update(f.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return Long.toHexString(crc.getValue());
    }
}
