package io.shardkit.it.bench;

import io.shardkit.it.fixture.Fleet;
import io.shardkit.sandbox.SandboxLayout;
import io.shardkit.sandbox.SandboxSpec;
import io.shardkit.topology.Topology;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MHA 0.58 managing one replication group of a sandbox fleet, the way an operator would run it:
 * an sshd in every host's namespace (MHA reaches hosts only by ssh), its config with the group's
 * members, a master_ip_failover_script that moves the writer IP, masterha_check_ssh and
 * masterha_check_repl, then masterha_manager in the background until it has failed over once.
 *
 * <p>MHA 0.58 runs on MariaDB 10.11 and Perl 5.36 only with workarounds, none a change to MHA: its
 * manager commands and, through the sshd's PATH, its node tools run under {@code perl -X} (their
 * version parsing formats a version with exactly three numbers under fatal warnings, and Debian's
 * "10.11.19-MariaDB-0+deb12u1-log" has six: save_binary_logs would die before saving the dead
 * master's binlog); the servers get a plugin registering {@code @@super_read_only} (see
 * {@link MhaServers}). Pinning the servers' {@code version=} instead would also satisfy the node
 * tools, but a server with its version set drops the "5.5.5-" handshake prefix and MySQL
 * Connector/J (shardkit's driver) then takes MariaDB for MySQL 8 and fails on every connect.
 * MHA does not see MariaDB's GTIDs (it asks for {@code @@gtid_mode}): it fails over by binlog file
 * and position, and leaves the repointed replicas on {@code MASTER_USE_GTID=no}.
 */
final class MhaPeer implements AutoCloseable {
    /** What MHA's monitor logs once it pings the primary and waits for it to fail. */
    private static final String MONITORING = "Ping(SELECT) succeeded, waiting until MySQL doesn't respond";
    private static final Pattern DONE = Pattern.compile("Master failover to (\\S+)\\((\\S+):(\\d+)\\) completed successfully");
    private static final Duration SETUP_STEP = Duration.ofMinutes(3);
    private static final Duration APT = Duration.ofMinutes(15);
    static final List<String> PACKAGES = List.of("mha4mysql-manager", "mha4mysql-node", "openssh-server", "openssh-client", "libmariadbd-dev",
            "gcc", "libc6-dev", "iputils-arping", "mariadb-client");
    private static final List<String> TOOLS = List.of("/usr/bin/masterha_manager", "/usr/bin/masterha_check_ssh", "/usr/bin/masterha_check_repl",
            "/usr/bin/save_binary_logs", "/usr/bin/apply_diff_relay_logs", "/usr/bin/perl", "/usr/sbin/sshd", "/usr/bin/ssh", "/usr/bin/ssh-keygen",
            "/usr/bin/gcc", "/usr/bin/arping", "/usr/bin/mysql", "/usr/bin/mysqlbinlog");

    private final Fleet f;
    private final String group;
    private final Path dir;
    private final List<Process> sshds = new ArrayList<>();
    private Process manager;

    /** Why MHA cannot run on this machine (a missing package or tool, the wrong flavor), or empty when it can. Installs what apt can install first. */
    static Optional<String> unavailable(Fleet f) {
        SandboxSpec.ServerFlavor flavor = f.sandbox().layout().spec().flavor();
        if (flavor != SandboxSpec.ServerFlavor.MARIADB) return Optional.of("the MHA peer runs on MariaDB fleets only (this one is " + flavor + ")");
        if (!f.netns()) return Optional.of("the MHA peer needs a netns sandbox (root): an sshd per host and a writer IP that moves between hosts");
        List<String> missing = PACKAGES.stream().filter(p -> !installed(p)).toList();
        if (!missing.isEmpty()) {
            Optional<String> failed = aptInstall(missing);
            if (failed.isPresent()) return failed;
        }
        for (String tool : TOOLS) {
            if (!Files.isExecutable(Path.of(tool))) return Optional.of(tool + " is missing (installed: " + PACKAGES + ")");
        }
        if (!Files.exists(MhaServers.PLUGIN_HEADER)) return Optional.of(MhaServers.PLUGIN_HEADER + " is missing (libmariadbd-dev)");
        return Optional.empty();
    }

    /**
     * Sets up everything and returns once masterha_manager is monitoring the group's primary; on
     * failure stops what it started. Every member of the group must be running and replicating from
     * its primary (MHA refuses to start otherwise): after a failover, the old primary must rejoin,
     * or the next run take a fresh fleet.
     */
    MhaPeer(Fleet f, String group, Path workDir, int pingIntervalSeconds) throws Exception {
        Optional<String> why = unavailable(f);
        if (why.isPresent()) throw new IllegalStateException("MHA cannot run here: " + why.get());
        this.f = f;
        this.group = group;
        this.dir = workDir.toAbsolutePath();
        try {
            // a previous run's state: MHA refuses a second failover within 8 hours of one recorded in its workdir
            for (String old : List.of("manager", "remote", "ssh", "bin", "home")) Bench.deleteTree(dir.resolve(old));
            for (String old : List.of("manager.log", "manager.out", "check_ssh.log", "check_repl.log")) Files.deleteIfExists(dir.resolve(old));
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            List<String> members = f.topology().group(group).instanceNames();
            String primary = Bench.primary(f, group);
            new MhaServers(f, dir).prepare(members);
            Path key = startSshds(members);
            Path cnf = writeConfig(members, key, pingIntervalSeconds);
            check("masterha_check_ssh", cnf, dir.resolve("check_ssh.log"));
            check("masterha_check_repl", cnf, dir.resolve("check_repl.log"));
            manager = new ProcessBuilder("perl", "-X", "/usr/bin/masterha_manager", "--conf=" + cnf).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("manager.out").toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            Fleet.await("masterha_manager monitoring " + primary, SETUP_STEP, () -> !manager.isAlive() || logContains(MONITORING));
            if (!manager.isAlive()) throw new IllegalStateException("masterha_manager exited " + manager.exitValue() + " before monitoring; its log ends with:\n" + tail());
        } catch (Exception | AssertionError e) {
            close();
            throw e;
        }
    }

    /** Waits until MHA finished a failover (masterha_manager exits after one); returns the new primary's instance name; throws with MHA's log tail when it failed. */
    String awaitFailover(Duration deadline) throws Exception {
        if (!manager.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("MHA did not finish a failover within " + deadline.toSeconds() + " s; its log ends with:\n" + tail());
        }
        Matcher m = DONE.matcher(Files.exists(log()) ? Files.readString(log()) : "");
        if (manager.exitValue() != 0 || !m.find()) {
            throw new IllegalStateException("MHA's failover failed (masterha_manager exited " + manager.exitValue() + "); its log ends with:\n" + tail());
        }
        String ip = m.group(2);
        Topology t = f.topology();
        return t.group(group).instanceNames().stream().filter(i -> t.instance(i).ip().equals(ip)).findFirst()
                .orElseThrow(() -> new IllegalStateException("MHA promoted " + ip + ", which is no member of " + group));
    }

    /** The manager log (for the benchmark's report). */
    Path log() {
        return dir.resolve("manager.log");
    }

    /** Stops the manager and every sshd it started; removes nothing the sandbox owns. */
    @Override
    public void close() {
        if (manager != null) stop(manager);
        sshds.forEach(MhaPeer::stop);
    }

    private static void stop(Process p) {
        // MHA forks health checkers and ssh sessions: its own children go first, by their ids
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One key pair for root on every host (the hosts share this machine's files, so one
     * authorized_keys serves all), a host key, and an sshd on each member's host, listening only on
     * the host's own address inside its namespace.
     */
    private Path startSshds(List<String> members) throws Exception {
        Path ssh = Files.createDirectories(dir.resolve("ssh"));
        Files.setPosixFilePermissions(ssh, PosixFilePermissions.fromString("rwx------"));
        Path key = ssh.resolve("id_ed25519");
        for (Path k : List.of(ssh.resolve("host_key"), key)) run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "mha-peer", "-f", k.toString()), ssh.resolve("keygen.log"));
        Files.copy(ssh.resolve("id_ed25519.pub"), ssh.resolve("authorized_keys"));
        Path bin = nodeTools();
        Path home = Files.createDirectories(dir.resolve("home"));
        // sshd's privilege separation directory, which its service unit would have made (the service never runs here)
        Files.createDirectories(Path.of("/run/sshd"));
        Topology t = f.topology();
        for (String hostName : new LinkedHashSet<>(members.stream().map(m -> t.instance(m).host()).toList())) {
            SandboxLayout.HostLayout h = f.sandbox().layout().host(hostName);
            Path cfg = ssh.resolve("sshd-" + hostName + ".conf");
            Files.writeString(cfg, String.join("\n",
                    "ListenAddress " + h.address(),
                    "Port 22",
                    "HostKey " + ssh.resolve("host_key"),
                    "AuthorizedKeysFile " + ssh.resolve("authorized_keys"),
                    "PermitRootLogin prohibit-password",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "UsePAM no",
                    "UseDNS no",
                    // the work directory may sit under a tree others can write (a build directory): only the files' own modes count
                    "StrictModes no",
                    "PidFile none",
                    // MHA runs its node tools by bare name over ssh: this PATH finds the perl -X wrappers first. And a HOME of
                    // its own: bash sources ~/.bashrc for ssh commands, and this machine's root one (pyenv init) costs a second
                    // per ssh, which no MHA host would pay (MHA opens about ten ssh sessions in a failover)
                    "SetEnv PATH=" + bin + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=" + home,
                    ""));
            Process p = new ProcessBuilder("ip", "netns", "exec", h.namespace(), "/usr/sbin/sshd", "-D", "-e", "-f", cfg.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(ssh.resolve("sshd-" + hostName + ".log").toFile())).start();
            sshds.add(p);
            Fleet.await("sshd listening on " + hostName + " (" + h.address() + ":22)", Duration.ofSeconds(15), () -> !p.isAlive() || listening(h.address()));
            if (!p.isAlive()) throw new IllegalStateException("sshd on " + hostName + " exited " + p.exitValue() + ": " + Files.readString(ssh.resolve("sshd-" + hostName + ".log")));
        }
        return key;
    }

    /** {@code perl -X} wrappers of MHA's node tools, as the manager's commands are run. */
    private Path nodeTools() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String tool : List.of("save_binary_logs", "apply_diff_relay_logs", "purge_relay_logs", "filter_mysqlbinlog")) {
            Path w = bin.resolve(tool);
            Files.writeString(w, "#!/bin/sh\n# MHA 0.58's node tool without its fatal warnings (see MhaPeer)\nexec perl -X /usr/bin/" + tool + " \"$@\"\n");
            Files.setPosixFilePermissions(w, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return bin;
    }

    /** MHA's application config (mode 600: it holds the admin and replication passwords) and the IP script with its settings. */
    private Path writeConfig(List<String> members, Path key, int pingInterval) throws Exception {
        Topology t = f.topology();
        Topology.Group g = t.group(group);
        Topology.HostAccess access = t.hostOf(members.getFirst()).access();
        Path script = dir.resolve("master_ip_failover");
        Files.writeString(script, resource("mha/master_ip_failover"));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(dir.resolve("master_ip_failover.env"), "WRITER_IP=" + g.writerIp() + "\nPREFIX=" + access.prefixLength() + "\nDEVICE=" + access.device()
                + "\nSSH_KEY=" + key + "\n");
        StringBuilder cnf = new StringBuilder("[server default]\n")
                .append("user=").append(f.admin().user()).append('\n')
                .append("password=").append(f.admin().password().reveal()).append('\n');
        var repl = t.credentials().replication().resolve();
        cnf.append("repl_user=").append(repl.user()).append('\n')
                .append("repl_password=").append(repl.password().reveal()).append('\n')
                .append("ssh_user=root\n")
                .append("ssh_options=-i ").append(key).append(" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR\n")
                .append("manager_workdir=").append(Files.createDirectories(dir.resolve("manager"))).append('\n')
                .append("manager_log=").append(log()).append('\n')
                .append("ping_interval=").append(pingInterval).append('\n')
                .append("master_ip_failover_script=").append(script).append('\n');
        int n = 0;
        for (String m : members) {
            Topology.Instance i = t.instance(m);
            cnf.append("\n[server").append(++n).append("]\n")
                    .append("hostname=").append(i.ip()).append('\n')
                    .append("ssh_host=").append(t.hostOf(m).address()).append('\n')
                    .append("port=").append(i.port()).append('\n')
                    .append("master_binlog_dir=").append(MhaServers.binlogDir(f, m)).append('\n')
                    // every "host" shares this machine's files: each server its own remote directory
                    .append("remote_workdir=").append(dir.resolve("remote").resolve(m)).append('\n');
        }
        Path file = dir.resolve("mha.cnf");
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, cnf);
        return file;
    }

    /** One of MHA's checks under {@code perl -X}; throws with the end of its output when it fails. */
    private void check(String command, Path cnf, Path out) throws Exception {
        int exit = run(List.of("perl", "-X", "/usr/bin/" + command, "--conf=" + cnf), out);
        if (exit != 0) throw new IllegalStateException(command + " failed (exit " + exit + "); its output ends with:\n" + tail(out, 30));
    }

    static int run(List<String> cmd, Path out) throws IOException, InterruptedException {
        return run(cmd, out, SETUP_STEP);
    }

    private static int run(List<String> cmd, Path out, Duration timeout) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            stop(p);
            throw new IllegalStateException(String.join(" ", cmd) + " did not finish within " + timeout.toSeconds() + " s; see " + out);
        }
        return p.exitValue();
    }

    private static boolean listening(String address) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, 22), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private boolean logContains(String text) {
        try {
            return Files.exists(log()) && Files.readString(log()).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    private String tail() {
        Path out = dir.resolve("manager.out");
        return Files.exists(log()) ? tail(log(), 40) : tail(out, 40);
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no " + file + ")";
        }
    }

    static String resource(String name) throws IOException {
        try (var in = MhaPeer.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IOException("resource " + name + " not on the test classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static boolean installed(String pkg) {
        try {
            Process p = new ProcessBuilder("dpkg-query", "-W", "-f=${Status}", pkg).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 && out.contains("install ok installed");
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /**
     * apt-get install of what is missing, with services kept from starting (a policy-rc.d that says
     * no, unless the machine has one): openssh-server must not start a system sshd on the root
     * namespace. Retries once after apt-get update (a machine whose package lists are stale).
     */
    private static Optional<String> aptInstall(List<String> packages) {
        Path policy = Path.of("/usr/sbin/policy-rc.d");
        boolean ownPolicy = false;
        try {
            Path out = Files.createDirectories(Bench.dir().resolveSibling("mha")).resolve("apt.log");
            if (!Files.exists(policy)) {
                Files.writeString(policy, "#!/bin/sh\n# written by shardkit's MHA peer while it installs packages: no service starts\nexit 101\n");
                Files.setPosixFilePermissions(policy, PosixFilePermissions.fromString("rwxr-xr-x"));
                ownPolicy = true;
            }
            List<String> install = new ArrayList<>(List.of("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-qq", "--no-install-recommends"));
            install.addAll(packages);
            if (run(install, out, APT) == 0) return Optional.empty();
            run(List.of("apt-get", "update", "-qq"), out, APT);
            if (run(install, out, APT) == 0) return Optional.empty();
            return Optional.of("apt-get install " + String.join(" ", packages) + " failed: " + tail(out, 5));
        } catch (Exception e) {
            return Optional.of("apt-get install " + String.join(" ", packages) + " failed: " + e.getMessage());
        } finally {
            if (ownPolicy) {
                try {
                    Files.deleteIfExists(policy);
                } catch (IOException ignored) {
                    // left behind: it only keeps package services from starting
                }
            }
        }
    }
}
