package io.shardkit.shell.daemon;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon: one per state directory, listening on {@code <home>/daemon.sock} (mode 0600, and
 * only connections from its own user are served, checked by the peer's credentials), running each
 * client's command on its own thread with the client's arguments, environment and working
 * directory, its output sent back as it is printed. A client that goes away (Ctrl-C) interrupts
 * its command. A lock file keeps a second daemon off the same directory.
 */
public final class DaemonServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DaemonServer.class);

    /** Runs one command line for a client, as Main would in its own process. */
    public interface Runner {
        int run(PrintWriter out, PrintWriter err, Map<String, String> env, Path cwd, String[] args);
    }

    private final DaemonHome dh;
    private final Runner runner;
    private final String stamp;
    private final Instant started = Instant.now();
    private final AtomicLong served = new AtomicLong();
    private final Set<Thread> running = ConcurrentHashMap.newKeySet();
    private final FileChannel lockFile;
    private final FileLock lock;
    private final ServerSocketChannel server;
    private volatile boolean stopping;
    /** The socket file as bound (inode): another one at the same path is not ours to remove. */
    private final Object boundKey;

    /** Takes the directory's lock and binds its socket; refuses when another daemon holds them. */
    public DaemonServer(Path home, Runner runner) throws IOException {
        this(home, runner, DaemonHome.buildStamp());
    }

    DaemonServer(Path home, Runner runner, String stamp) throws IOException {
        this.stamp = stamp;
        this.dh = new DaemonHome(home);
        this.runner = runner;
        if (!dh.socketPathFits()) {
            throw new IllegalArgumentException("the daemon's socket path " + dh.socket().toAbsolutePath() + " is longer than a Unix socket allows ("
                    + DaemonHome.MAX_SOCKET_PATH + " bytes): use a shorter --home");
        }
        Files.createDirectories(home);
        lockFile = FileChannel.open(dh.lock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = lockFile.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            lockFile.close();
            throw new IllegalStateException("a daemon already runs for " + home + " (" + dh.lock() + " is locked)");
        }
        lock = l;
        lockFile.truncate(0).write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)));
        // the lock is ours, so a socket file left here is a dead daemon's
        Files.deleteIfExists(dh.socket());
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(dh.socket()));
        Files.setPosixFilePermissions(dh.socket(), PosixFilePermissions.fromString("rw-------"));
        boundKey = fileKey();
    }

    public Path socket() { return dh.socket(); }

    /** Removes the socket file if it is still the one this daemon bound (also from a shutdown hook). */
    public void removeSocket() throws IOException {
        stopping = true; // the watch must not take this for a lost socket
        Object now = fileKey();
        if (now != null && now.equals(boundKey)) Files.deleteIfExists(dh.socket());
    }

    /** Serves until a client asks it to stop. */
    public void serve() {
        log.info("daemon {} serving {} (build {})", ProcessHandle.current().pid(), dh.socket(), stamp);
        Thread watch = new Thread(this::watchSocketFile, "daemon-socket-watch");
        watch.setDaemon(true);
        watch.start();
        while (!stopping) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                if (!stopping) log.warn("accept failed: {}", e.toString());
                break;
            }
            Thread t = new Thread(() -> handle(ch), "daemon-client");
            t.setDaemon(true);
            t.start();
        }
        // commands still running are told to stop and given a moment to say so to their clients
        running.forEach(Thread::interrupt);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (Thread t : running) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        log.info("daemon {} stopped after {} commands", ProcessHandle.current().pid(), served.get());
    }

    /**
     * A daemon whose socket file is gone (its --home removed, or replaced by another daemon's) can
     * no longer be reached, not even by 'daemon stop': it stops by itself instead of running on.
     */
    private void watchSocketFile() {
        while (!stopping) {
            try {
                Thread.sleep(WATCH_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            Object now = fileKey();
            if (!stopping && (now == null || !now.equals(boundKey))) {
                log.warn("daemon {}: its socket {} is gone; stopping", ProcessHandle.current().pid(), dh.socket());
                stopping = true;
                try {
                    server.close();
                } catch (IOException ignored) {
                    // closing is all that is left to do
                }
            }
        }
    }

    private static final long WATCH_MILLIS = 2_000;

    private Object fileKey() {
        try {
            return Files.readAttributes(dh.socket(), java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    private void handle(SocketChannel ch) {
        try (ch) {
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Wire.in(ch)));
            DataOutputStream out = new DataOutputStream(Wire.out(ch));
            if (!sameUser(ch)) {
                reply(out, Wire.REFUSED, "the daemon serves only its own user");
                return;
            }
            if (in.readInt() != Wire.MAGIC) return;
            byte kind = in.readByte();
            String clientStamp = Wire.readString(in);
            switch (kind) {
                case Wire.STATUS -> {
                    reply(out, Wire.OUT, status(clientStamp));
                    exit(out, 0);
                }
                case Wire.STOP -> {
                    stopping = true;
                    reply(out, Wire.OUT, "daemon " + ProcessHandle.current().pid() + " stopping\n");
                    exit(out, 0);
                    server.close();
                }
                case Wire.RUN -> {
                    if (!clientStamp.equals(stamp)) {
                        reply(out, Wire.REFUSED, "the daemon for " + dh.home() + " runs another build (restart it: shardkit daemon stop; shardkit daemon start)");
                        return;
                    }
                    run(in, out);
                }
                default -> log.warn("unknown request kind {}", kind);
            }
        } catch (IOException e) {
            log.debug("client connection: {}", e.toString());
        }
    }

    private void run(DataInputStream in, DataOutputStream out) throws IOException {
        Path cwd = Path.of(Wire.readString(in));
        Map<String, String> env = new HashMap<>();
        for (int i = in.readInt(); i > 0; i--) env.put(Wire.readString(in), Wire.readString(in));
        String[] args = new String[in.readInt()];
        for (int i = 0; i < args.length; i++) args[i] = Wire.readString(in);
        PrintWriter cout = new PrintWriter(new OutputStreamWriter(frames(out, Wire.OUT), StandardCharsets.UTF_8), true);
        PrintWriter cerr = new PrintWriter(new OutputStreamWriter(frames(out, Wire.ERR), StandardCharsets.UTF_8), true);
        int[] code = {1};
        long t0 = System.nanoTime();
        Thread command = new Thread(() -> {
            try {
                code[0] = runner.run(cout, cerr, env, cwd, args);
            } catch (RuntimeException | Error e) {
                cerr.println("error: the daemon failed running this command: " + e.getClass().getSimpleName() + ": " + e.getMessage());
                log.error("command failed", e);
            } finally {
                cout.flush();
                cerr.flush();
            }
        }, "daemon-command");
        running.add(command);
        command.start();
        // the client sends nothing more: end of its stream means it went away (Ctrl-C), and the command is interrupted
        Thread watcher = new Thread(() -> {
            try {
                while (in.read() >= 0) { /* nothing is expected */ }
            } catch (IOException ignored) {
                // closed: the same as gone
            }
            if (command.isAlive()) command.interrupt();
        }, "daemon-client-watch");
        watcher.setDaemon(true);
        watcher.start();
        try {
            command.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            running.remove(command);
        }
        served.incrementAndGet();
        // the command words only: arguments are the operator's, and the log is not the place for them
        log.info("ran '{}' exit {} in {} ms", DaemonHome.command(args), code[0], (System.nanoTime() - t0) / 1_000_000);
        exit(out, code[0]);
    }

    private String status(String clientStamp) {
        return "daemon pid " + ProcessHandle.current().pid() + ", serving " + dh.socket() + ", up " + Duration.between(started, Instant.now()).toSeconds() + " s, "
                + served.get() + " commands served, " + running.size() + " running" + (clientStamp.equals(stamp) ? "" : ", another build than this client's") + "\n";
    }

    private static boolean sameUser(SocketChannel ch) throws IOException {
        var peer = ch.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED);
        return peer.user().getName().equals(System.getProperty("user.name"));
    }

    private static OutputStream frames(DataOutputStream out, byte type) {
        return Wire.stream((b, off, len) -> Wire.frame(out, type, b, off, len));
    }

    private static void reply(DataOutputStream out, byte type, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        Wire.frame(out, type, b, 0, b.length);
    }

    private static void exit(DataOutputStream out, int code) throws IOException {
        Wire.frame(out, Wire.EXIT, java.nio.ByteBuffer.allocate(4).putInt(code).array(), 0, 4);
    }

    @Override
    public void close() throws IOException {
        stopping = true;
        server.close();
        removeSocket();
        lock.release();
        lockFile.close();
    }
}
