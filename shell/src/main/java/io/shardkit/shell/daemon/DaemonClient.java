package io.shardkit.shell.daemon;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Hands a command to the daemon of its state directory when one runs, so it starts with loaded
 * classes, compiled code and warm connections instead of a fresh JVM's (the way
 * orchestrator-client talks to a running orchestrator). Loaded before anything else in {@code
 * main}: a command the daemon takes costs this process only this class and a socket.
 *
 * <p>Only short commands that read the fleet or the catalog go there. Commands that stream
 * binlogs for hours (start, resume, rollback), freeze writes (cutover), own processes (sandbox) or
 * a terminal (shell, run) keep their own process: their lifetime, heap and kill -9 semantics
 * belong to the operator's process, not to a shared one.
 */
public final class DaemonClient {
    static final Set<String> FORWARDED = Set.of("merge plan", "merge status", "merge verify", "merge pause", "merge throttle", "merge abort",
            "catalog status", "topology show", "topology check");

    private DaemonClient() {}

    /** The command's exit code when the daemon ran it; empty when this process must run it. */
    public static OptionalInt forward(String[] args) {
        return forward(args, System.getenv(), Path.of("").toAbsolutePath(), DaemonHome.buildStamp(), System.out, System.err);
    }

    static OptionalInt forward(String[] args, Map<String, String> env, Path cwd, String stamp, PrintStream stdout, PrintStream stderr) {
        // --debug shows library logs on this terminal: only a process of its own has them
        if (env.containsKey("SHARDKIT_NO_DAEMON") || java.util.Arrays.asList(args).contains("--debug") || !FORWARDED.contains(DaemonHome.command(args))) return OptionalInt.empty();
        DaemonHome dh = new DaemonHome(DaemonHome.of(args, env, cwd));
        SocketChannel ch = connect(dh);
        if (ch == null) return OptionalInt.empty();
        try (ch) {
            DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Wire.out(ch)));
            Wire.request(out, Wire.RUN, stamp);
            Wire.writeString(out, cwd.toString());
            out.writeInt(env.size());
            for (Map.Entry<String, String> e : env.entrySet()) {
                Wire.writeString(out, e.getKey());
                Wire.writeString(out, e.getValue());
            }
            out.writeInt(args.length);
            for (String a : args) Wire.writeString(out, a);
            out.flush();
            return relay(new DataInputStream(new java.io.BufferedInputStream(Wire.in(ch))), dh, stdout, stderr);
        } catch (IOException e) {
            // the request may have been taken: running it again here could do it twice
            stderr.println("shardkit: lost the daemon (" + dh.socket() + ") during this command: " + e.getMessage() + "; see " + dh.log());
            return OptionalInt.of(1);
        }
    }

    /**
     * Asks the daemon of a state directory for its status or to stop: its answer, or empty when
     * no daemon answers there.
     */
    public static java.util.Optional<String> control(Path home, boolean stop) {
        SocketChannel ch = connect(new DaemonHome(home));
        if (ch == null) return java.util.Optional.empty();
        try (ch) {
            DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Wire.out(ch)));
            Wire.request(out, stop ? Wire.STOP : Wire.STATUS, DaemonHome.buildStamp());
            out.flush();
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Wire.in(ch)));
            StringBuilder text = new StringBuilder();
            while (true) {
                byte type = in.readByte();
                byte[] b = in.readNBytes(in.readInt());
                if (type == Wire.EXIT) return java.util.Optional.of(text.toString());
                text.append(new String(b, java.nio.charset.StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /** A channel to the daemon, or null when nobody answers on its socket (none, or a stale file after a crash). */
    private static SocketChannel connect(DaemonHome dh) {
        if (!Files.exists(dh.socket())) return null;
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(dh.socket()));
            return ch;
        } catch (IOException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // nothing was sent on it
                }
            }
            return null;
        }
    }

    private static OptionalInt relay(DataInputStream in, DaemonHome dh, PrintStream stdout, PrintStream stderr) throws IOException {
        while (true) {
            byte type;
            try {
                type = in.readByte();
            } catch (java.io.EOFException e) {
                stderr.println("shardkit: the daemon (" + dh.socket() + ") stopped while running this command; see " + dh.log());
                return OptionalInt.of(1);
            }
            int len = in.readInt();
            byte[] b = in.readNBytes(len);
            switch (type) {
                case Wire.OUT -> { stdout.write(b, 0, b.length); stdout.flush(); }
                case Wire.ERR -> { stderr.write(b, 0, b.length); stderr.flush(); }
                case Wire.EXIT -> { return OptionalInt.of(java.nio.ByteBuffer.wrap(b).getInt()); }
                case Wire.REFUSED -> {
                    stderr.println("shardkit: " + new String(b, java.nio.charset.StandardCharsets.UTF_8) + "; running this command here");
                    return OptionalInt.empty();
                }
                default -> throw new IOException("unknown frame " + type);
            }
        }
    }
}
