package io.shardkit.endpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Moves writer secondary IPs between hosts, the way MHA's master_ip_online_change scripts do:
 * {@code ip addr add} on the new host, then {@code ip addr del} on every host that may hold the address,
 * with one gratuitous ARP from the new host in between, so clients and switches forget the old MAC at once (without it clients
 * see about 30 s of timeouts here). Commands run through each host's {@link HostAccess}
 * (ssh, or {@code ip netns exec} in a sandbox). The new owner must already listen on the address
 * (bind_address with ip_nonlocal_bind, or a wildcard bind): {@link #listening} checks that first.
 */
public final class WriterIps {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** A host as far as moving addresses goes: how to run commands there, and the interface and prefix length addresses get. */
    public record Host(String name, List<String> exec, String device, int prefixLength) {
        public Host {
            exec = List.copyOf(exec);
        }
    }

    /** One planned move: the address, the hosts it may be on now, and the host that takes it. */
    public record Move(String ip, String group, List<Host> from, Host to) {}

    private WriterIps() {}

    /** True when something on {@code host} listens on {@code ip:port} (ss -ltn inside that host). */
    public static boolean listening(Host host, String ip, int port) throws IOException, InterruptedException {
        return !run(host, List.of("ss", "-Hltn", "src", ip + ":" + port)).isBlank();
    }

    /** Whether the address is on the host's interface now. */
    public static boolean holds(Host host, String ip) throws IOException, InterruptedException {
        return run(host, List.of("ip", "-o", "addr", "show", "dev", host.device())).contains(" " + ip + "/");
    }

    /**
     * Puts the address on {@code to} and announces it there, then takes it off every {@code from}
     * host that has it. In that order: a client that sent its SYN to the old MAC before the
     * announcement reached it gets a reset from the old host (which still holds the address, its
     * server fenced or dead) and reconnects to the new one at once; taken off first, that SYN is
     * dropped and the client waits for its retransmission (1 s). The old host holds the address a few
     * milliseconds longer, while what listens there is fenced, stopped or gone. One command per host
     * ({@code ip addr replace} adds or keeps; a {@code del} of an address that is not there is a
     * no-op), plain arguments, so they pass through ssh unchanged.
     */
    public static void apply(Move m) throws IOException, InterruptedException {
        Host to = m.to();
        run(to, List.of("ip", "addr", "replace", m.ip() + "/" + to.prefixLength(), "dev", to.device()));
        announce(to, m.ip());
        for (Host h : m.from()) {
            if (!h.name().equals(to.name())) remove(h, m.ip());
        }
    }

    /** The announcement last started for each address, by this process. */
    private static final java.util.Map<String, Process> ANNOUNCING = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * An unsolicited ARP from the address's owner: neighbours update their cache entry now, not
     * when it expires (~30 s). Also after a stale copy of the address was taken off another host,
     * whose MAC a neighbour may have learned meanwhile. Not waited for (arping lingers a second
     * after its packet, which a cutover's freeze must not pay), but an earlier announcement of the
     * same address still starting is killed first: an aborted cutover moves an address back within
     * milliseconds, and the target host's announcement, started first but slow to start on a busy
     * machine, sent after the source host's, left clients at the target for ~30 s.
     */
    public static void announce(Host owner, String ip) {
        List<String> arping = new ArrayList<>(owner.exec());
        arping.addAll(List.of("arping", "-q", "-U", "-c", "1", "-I", owner.device(), ip));
        try {
            Process earlier = ANNOUNCING.remove(ip);
            if (earlier != null && earlier.isAlive()) {
                earlier.descendants().forEach(ProcessHandle::destroyForcibly);
                earlier.destroyForcibly();
            }
            Process p = new ProcessBuilder(arping).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            ANNOUNCING.put(ip, p);
        } catch (IOException e) {
            // no arping on the host: clients find the owner when their ARP entry expires
        }
    }

    /** Takes the address off the host if it has it (one command); true when it was there. */
    public static boolean remove(Host h, String ip) throws IOException, InterruptedException {
        try {
            run(h, List.of("ip", "addr", "del", ip + "/" + h.prefixLength(), "dev", h.device()));
            return true;
        } catch (IOException e) {
            // iproute2 says so (newer: "Address not found", older: "Cannot assign requested address") when the address is
            // not on the interface: nothing to take off
            String why = String.valueOf(e.getMessage());
            if (why.contains("Address not found") || why.contains("Cannot assign requested address")) return false;
            throw e;
        }
    }

    /** Applies every move at once (one per group, on different addresses). */
    public static void applyAll(List<Move> moves) throws IOException, InterruptedException {
        List<Thread> threads = new ArrayList<>();
        List<Exception> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (Move m : moves) {
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    apply(m);
                } catch (Exception e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) t.join();
        if (!failures.isEmpty()) {
            if (failures.getFirst() instanceof IOException io) throw io;
            throw new IOException(failures.getFirst());
        }
    }

    /** Moves the address back to the first {@code from} host (an aborted cutover). */
    public static void undo(Move m) throws IOException, InterruptedException {
        if (m.from().isEmpty()) return;
        apply(new Move(m.ip(), m.group(), List.of(m.to()), m.from().getFirst()));
    }

    /** Runs a command on the host; its output, or an IOException naming the host when it fails or hangs. */
    private static String run(Host host, List<String> command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(host.exec());
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException("on host " + host.name() + ": '" + String.join(" ", command) + "' did not finish within " + TIMEOUT.toSeconds() + " s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("on host " + host.name() + ": '" + String.join(" ", command) + "' exited " + p.exitValue() + ": " + out.strip());
        }
        return out;
    }
}
