package io.shardkit.shell;

import io.shardkit.shell.daemon.DaemonClient;
import java.util.OptionalInt;

/**
 * The launcher's entry point (bin/shardkit): a daemon running for the command's --home takes the
 * short commands; everything else runs here through {@link Main}. A class of its own so that a
 * forwarded command loads only this, the client and a socket (Main's links to picocli are
 * resolved when Main loads, about 30 ms).
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) {
        OptionalInt forwarded = DaemonClient.forward(args);
        if (forwarded.isPresent()) System.exit(forwarded.getAsInt());
        Main.main(args);
    }
}
