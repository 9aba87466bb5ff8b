package io.shardkit.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Machine-wide registry of sandbox slots (0..7). Network names and address ranges are global to
 * the machine, so two sandboxes must never share a slot; claiming is an atomic mkdir.
 */
final class Slots {
    static final Path ROOT = Path.of(System.getProperty("java.io.tmpdir"), "shardkit-slots");

    private Slots() {}

    static int claim(Path sandboxDir) {
        try {
            Files.createDirectories(ROOT);
            for (int slot = 0; slot < 8; slot++) {
                Path p = ROOT.resolve("slot-" + slot);
                if (tryClaim(p, sandboxDir)) return slot;
                if (stale(p)) {
                    // the owner vanished without 'down': sweep what a crash could have left under this slot
                    SandboxState ghost = new SandboxState(Files.createTempFile("shardkit-ghost", ".json"),
                            new SandboxSpec("ghost", SandboxSpec.ServerFlavor.MARIADB, SandboxSpec.Isolation.NETNS, 1, 1, 1, 0), slot, true);
                    if (isRoot()) new NetnsNetwork().destroy(ghost);
                    release(slot);
                    if (tryClaim(p, sandboxDir)) return slot;
                }
            }
        } catch (IOException e) {
            throw new SandboxException("cannot claim a sandbox slot under " + ROOT + ": " + e.getMessage(), e);
        }
        throw new SandboxException("all 8 sandbox slots are in use: 'shardkit sandbox down' some (see " + ROOT + ")");
    }

    private static boolean tryClaim(Path p, Path owner) throws IOException {
        try {
            Files.createDirectory(p);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            return false;
        }
        // the claimer's pid: until its state file exists, the slot is only stale once that process is gone
        Files.writeString(p.resolve("owner"), owner.toAbsolutePath() + "\n" + ProcessHandle.current().pid() + "\n");
        return true;
    }

    /**
     * A slot is stale when its sandbox has no state file and the process that claimed it is gone.
     * (Between claiming and writing the state file a live claimer must not be robbed: two
     * sandboxes on one slot would share bridge names and addresses.)
     */
    private static boolean stale(Path p) throws IOException {
        Path owner = p.resolve("owner");
        if (!Files.exists(owner)) {
            // claimed a moment ago and the owner file not yet written, or left half-made by a crash long ago
            return Files.getLastModifiedTime(p).toInstant().isBefore(java.time.Instant.now().minusSeconds(60));
        }
        String[] lines = Files.readString(owner).strip().split("\n");
        Path dir = Path.of(lines[0].strip());
        if (Files.exists(dir.resolve(Sandbox.STATE_FILE))) return false;
        if (lines.length < 2) return true;
        long pid = Long.parseLong(lines[1].strip());
        return !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    static void release(int slot) {
        Exec.quiet("rm", "-rf", ROOT.resolve("slot-" + slot).toString());
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
