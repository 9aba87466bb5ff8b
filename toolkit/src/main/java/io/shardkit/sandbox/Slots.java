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
        Files.writeString(p.resolve("owner"), owner.toAbsolutePath().toString());
        return true;
    }

    private static boolean stale(Path p) throws IOException {
        Path owner = p.resolve("owner");
        if (!Files.exists(owner)) return true;
        Path dir = Path.of(Files.readString(owner).strip());
        return !Files.exists(dir.resolve(Sandbox.STATE_FILE));
    }

    static void release(int slot) {
        Exec.quiet("rm", "-rf", ROOT.resolve("slot-" + slot).toString());
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
