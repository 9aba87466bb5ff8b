package io.shardkit.sandbox;

import java.util.List;

/** How sandbox hosts are isolated from each other and from the manager. */
interface Network {

    /** Creates bridges, namespaces and addresses; records each resource in {@code state} before creating it. */
    void create(SandboxLayout layout, SandboxState state);

    /** Prefix to run a command on a host (e.g. {@code ip netns exec NS}); empty when hosts share the machine's stack. */
    List<String> onHost(SandboxLayout.HostLayout host);

    /** Adds an address to a host's interface (a writer IP). */
    void addAddress(SandboxLayout layout, SandboxLayout.HostLayout host, String ip);

    void removeAddress(SandboxLayout layout, SandboxLayout.HostLayout host, String ip);

    /** A host dies: nothing reaches it, not even its exec access. */
    void hostDown(SandboxLayout layout, SandboxLayout.HostLayout host);

    /** A dead host is back, with only its configured addresses (a writer IP it held is gone, as after a reboot). */
    void hostUp(SandboxLayout layout, SandboxLayout.HostLayout host);

    /** Cuts a host off from every other host and from the manager. */
    void partitionHost(SandboxLayout layout, SandboxLayout.HostLayout host);

    /** Only the manager loses one host; the hosts still see each other. */
    void partitionManagerFrom(SandboxLayout layout, SandboxLayout.HostLayout host);

    /** Cuts a zone off from the other zones and the manager; hosts inside it still see each other. */
    void partitionZone(SandboxLayout layout, String zone);

    /** Cuts the manager (this machine's root namespace) off while the hosts still see each other. */
    void partitionManager(SandboxLayout layout);

    /** Delays and drops packets on a host's link (tc netem) until {@link #healAll}. */
    void impairHost(SandboxLayout layout, SandboxLayout.HostLayout host, int delayMillis, double lossPercent);

    /**
     * Limits a host's link to {@code kbit} per second (tc tbf), queueing up to {@code maxQueueMillis}
     * and dropping beyond: a congested link, for kernels without netem.
     */
    void limitHost(SandboxLayout layout, SandboxLayout.HostLayout host, int kbit, int maxQueueMillis);

    /** Restores every link: partitions and impairments. */
    void healAll(SandboxLayout layout);

    /** PIDs of every process running on a host (for kill-host), beyond those the sandbox started itself. */
    List<Long> processesOn(SandboxLayout.HostLayout host);

    /** Removes everything {@link #create} made, tolerating pieces that are already gone. */
    void destroy(SandboxState state);
}
