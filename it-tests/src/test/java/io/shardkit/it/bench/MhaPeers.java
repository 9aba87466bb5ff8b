package io.shardkit.it.bench;

import io.shardkit.it.fixture.Fleet;
import java.util.List;
import java.util.Optional;

/** MHA 0.58 as the failover benchmark's peer: kill-to-writable on the same fleet and group. */
final class MhaPeers {
    private MhaPeers() {}

    /** Runs {@code runs} kill -9 failovers under MHA, adding each kill-to-writable to {@code out}; or says why MHA cannot run here. */
    static Optional<String> killToWritable(Fleet f, String group, int runs, List<Long> out) {
        return Optional.of("the MHA peer harness is not integrated yet");
    }
}
