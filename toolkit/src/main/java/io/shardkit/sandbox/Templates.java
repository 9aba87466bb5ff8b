package io.shardkit.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Consumer;

/** Builds a cached template directory once: into a temporary sibling, then an atomic rename. */
final class Templates {
    private Templates() {}

    static Path ensure(Path target, Consumer<Path> build) {
        if (Files.isDirectory(target)) return target;
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempDirectory(target.getParent(), target.getFileName() + ".tmp");
            Files.delete(tmp); // builders want to create the directory themselves
            build.accept(tmp);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (!Files.isDirectory(target)) throw e; // another process won the race: use theirs
                Exec.quiet("rm", "-rf", tmp.toString());
            }
            return target;
        } catch (IOException e) {
            throw new SandboxException("cannot build template " + target + ": " + e.getMessage(), e);
        }
    }
}
