package io.shardkit.sandbox;

import java.util.List;

/**
 * Hosts as groups of 127/8 addresses on the machine's own loopback (no root needed). Every address
 * of 127/8 is already local, so nothing is created; partitions cannot be simulated and say so.
 */
final class LoopbackNetwork implements Network {

    @Override public void create(SandboxLayout layout, SandboxState state) {}

    @Override public List<String> onHost(SandboxLayout.HostLayout host) { return List.of(); }

    @Override
    public void addAddress(SandboxLayout l, SandboxLayout.HostLayout host, String ip) {
        throw unsupported("moving a writer IP");
    }

    @Override public void removeAddress(SandboxLayout l, SandboxLayout.HostLayout host, String ip) {}

    @Override public void hostDown(SandboxLayout l, SandboxLayout.HostLayout host) {} // processes die; there is no link of its own
    @Override public void hostUp(SandboxLayout l, SandboxLayout.HostLayout host) {}
    @Override public void partitionHost(SandboxLayout l, SandboxLayout.HostLayout host) { throw unsupported("partition"); }

    @Override public void partitionZone(SandboxLayout l, String zone) { throw unsupported("partition"); }

    @Override public void partitionManager(SandboxLayout l) { throw unsupported("partition"); }
    @Override public void partitionManagerFrom(SandboxLayout l, SandboxLayout.HostLayout host) { throw unsupported("partition"); }

    @Override public void impairHost(SandboxLayout l, SandboxLayout.HostLayout host, int delayMillis, double lossPercent) { throw unsupported("impair"); }

    @Override public void limitHost(SandboxLayout l, SandboxLayout.HostLayout host, int kbit, int maxQueueMillis) { throw unsupported("impair"); }

    @Override public void healAll(SandboxLayout l) {}

    @Override public List<Long> processesOn(SandboxLayout.HostLayout host) { return List.of(); }

    @Override public void destroy(SandboxState state) {}

    private static SandboxException unsupported(String what) {
        return new SandboxException(what + " needs --isolation netns (network namespaces, run as root); this sandbox uses loopback addresses");
    }
}
